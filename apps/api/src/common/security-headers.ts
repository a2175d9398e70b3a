import type { CorsOptions, CorsOptionsDelegate } from '@nestjs/common/interfaces/external/cors-options.interface';
import type { Env } from '@voice/config';
import type { Request } from 'express';
import type { HelmetOptions } from 'helmet';

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/** HSTS only where the API is reached over HTTPS: sent over plain HTTP it would only be noise (browsers ignore it). */
export function servesHttps(env: Env): boolean {
  return env.COOKIE_SECURE || env.PUBLIC_BASE_URL?.startsWith('https:') === true;
}

/**
 * helmet's options for every response, the Swagger UI at /api/docs included. The CSP is the whole policy
 * (`useDefaults: false`): its defaults would add `upgrade-insecure-requests`, which breaks a self-hosted box
 * served over plain HTTP. Swagger UI needs `style-src 'unsafe-inline'` (it inlines styles) and `img-src data:`
 * (its icons); its scripts are files of its own, so `script-src` stays at `'self'` through default-src.
 */
/**
 * The origin presigned S3 links point at, when downloads come from S3: the web app fetches and plays them, so
 * the CSP must allow it (the bucket's CORS rules must allow the app's origin too; see the README).
 */
export function storageOrigin(env: Env): string | undefined {
  if (env.STORAGE_DRIVER !== 's3') return undefined;
  const endpoint = new URL(env.S3_ENDPOINT ?? `https://s3.${env.S3_REGION}.amazonaws.com`);
  if (!env.S3_FORCE_PATH_STYLE) endpoint.hostname = `${env.S3_BUCKET}.${endpoint.hostname}`;
  return endpoint.origin;
}

/**
 * What the payment providers' browser scripts need, only for the ones configured: Stripe.js with its Payment
 * Element (STRIPE_PUBLISHABLE_KEY; its frames, and its calls to api.stripe.com) and Razorpay Checkout
 * (RAZORPAY_KEY_ID; its frames). Without them nothing is added, and script-src stays at 'self'.
 */
export function paymentProviderSources(env: Pick<Env, 'STRIPE_PUBLISHABLE_KEY' | 'RAZORPAY_KEY_ID'>): {
  scriptSrc: string[];
  frameSrc: string[];
  connectSrc: string[];
} {
  const sources = { scriptSrc: [] as string[], frameSrc: [] as string[], connectSrc: [] as string[] };
  if (env.STRIPE_PUBLISHABLE_KEY) {
    sources.scriptSrc.push('https://js.stripe.com');
    sources.frameSrc.push('https://js.stripe.com', 'https://hooks.stripe.com');
    sources.connectSrc.push('https://api.stripe.com');
  }
  if (env.RAZORPAY_KEY_ID) {
    sources.scriptSrc.push('https://checkout.razorpay.com');
    sources.frameSrc.push('https://api.razorpay.com', 'https://checkout.razorpay.com');
  }
  return sources;
}

export function helmetOptions(env: Env): HelmetOptions {
  const storage = storageOrigin(env);
  const fromStorage = storage ? [storage] : [];
  const payments = paymentProviderSources(env);
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // Listed only when a provider adds to them; otherwise default-src ('self') governs both.
        ...(payments.scriptSrc.length > 0 ? { scriptSrc: ["'self'", ...payments.scriptSrc] } : {}),
        ...(payments.frameSrc.length > 0 ? { frameSrc: ["'self'", ...payments.frameSrc] } : {}),
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        connectSrc: ["'self'", 'wss:', ...fromStorage, ...payments.connectSrc],
        // The web app plays from object URLs: a chosen file or a recording before upload, and the waveform
        // players' fetched audio.
        mediaSrc: ["'self'", 'blob:', ...fromStorage],
        frameAncestors: ["'none'"],
        // Not covered by default-src; closing them costs nothing.
        baseUri: ["'self'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    strictTransportSecurity: servesHttps(env)
      ? { maxAge: ONE_YEAR_SECONDS, includeSubDomains: true, preload: true }
      : false,
    xFrameOptions: { action: 'deny' },
    // Signed download links are played by <audio> tags: a web app on another allowed origin must be able to.
    crossOriginResourcePolicy: { policy: env.ALLOWED_ORIGINS.length > 0 ? 'cross-origin' : 'same-origin' },
  };
}

/**
 * CORS for ALLOWED_ORIGINS only, with credentials (the refresh cookie); any other origin gets no CORS headers,
 * so the browser keeps it out. Undefined when the list is empty: the web app is served from the same origin.
 */
export function corsOptions(env: Env): CorsOptionsDelegate<Request> | undefined {
  if (env.ALLOWED_ORIGINS.length === 0) return undefined;
  const allowed = new Set(env.ALLOWED_ORIGINS);
  const granted: CorsOptions = {
    origin: true,
    credentials: true,
    // Cross-origin scripts may read their quota (RateLimit-Policy, RateLimit) as well as when to retry.
    exposedHeaders: ['Retry-After', 'RateLimit-Policy', 'RateLimit', 'Content-Disposition'],
    maxAge: 600,
  };
  return (request, callback) => {
    const origin = request.headers.origin;
    callback(null, origin !== undefined && allowed.has(origin) ? granted : { origin: false });
  };
}
