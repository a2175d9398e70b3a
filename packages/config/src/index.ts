import * as path from 'node:path';
import { z } from 'zod';

const booleanFromString = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/** An absolute http(s) URL, or unset. */
const optionalUrl = optionalNonEmpty.refine(
  (value) => value === undefined || (URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol)),
  'must be an http:// or https:// URL',
);

/**
 * A comma-separated list of exact origins (`scheme://host[:port]`, no path or trailing slash), as the browser
 * sends them in the Origin header; anything else would silently never match, so it is rejected.
 */
const originList = z
  .string()
  .default('')
  .transform((value, context) => {
    const origins = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    for (const origin of origins) {
      if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
        context.addIssue({
          code: z.ZodIssueCode.custom,
          message: `"${origin}" is not an origin (scheme://host[:port])`,
        });
      }
    }
    return origins;
  });

/** A key of the DATA_ENCRYPTION_KEY ring: its id (stored beside every value it seals) and 32 key bytes. */
export interface DataEncryptionKey {
  id: string;
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const DATA_KEY_BYTES = 32;

/**
 * Parses a DATA_ENCRYPTION_KEY ring: `keyId:base64key[,keyId:base64key…]`, each key 32 bytes (AES-256) in
 * base64 or base64url. The first entry is the current key (it seals new values); the others only open values
 * sealed before a rotation. Throws a message naming the bad entry, never the key material.
 */
export function parseDataEncryptionKeys(value: string): DataEncryptionKey[] {
  const keys: DataEncryptionKey[] = [];
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error('expected keyId:base64key[,keyId:base64key…]');
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(':');
    const id = separator === -1 ? '' : entry.slice(0, separator);
    const encoded = separator === -1 ? '' : entry.slice(separator + 1);
    if (!KEY_ID.test(id)) throw new Error(`entry ${index + 1}: expected keyId:base64key, keyId of [A-Za-z0-9._-]`);
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw new Error(`key "${id}": not base64`);
    const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
    if (key.length !== DATA_KEY_BYTES) {
      throw new Error(
        `key "${id}": must be ${DATA_KEY_BYTES} bytes (got ${key.length}); try \`openssl rand -base64 32\``,
      );
    }
    if (keys.some((known) => known.id === id)) throw new Error(`key id "${id}" appears twice`);
    keys.push({ id, key });
  }
  return keys;
}

/**
 * Every variable the platform reads. `.env.example` documents each one; nothing else reads process.env.
 * Defaults are the embedded setup: PGlite, local file storage and a Temporal dev server under DATA_DIR.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  DATA_DIR: z.string().default('.data'),

  API_HOST: z.string().default('0.0.0.0'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Base of links the API hands out (signed download URLs for the local driver). */
  PUBLIC_BASE_URL: optionalNonEmpty,

  DATABASE_URL: optionalNonEmpty,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).default(10),

  TEMPORAL_ADDRESS: optionalNonEmpty,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_CLI_PATH: optionalNonEmpty,
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_UI_PUBLIC_URL: optionalNonEmpty,
  TASK_QUEUE_CPU: z.string().default('voice-cpu'),
  TASK_QUEUE_GPU: z.string().default('voice-gpu'),
  /** Decoding, loudness and editing activities: storage and ffmpeg only, no database, so they can run apart from the API. */
  TASK_QUEUE_MEDIA: z.string().default('voice-media'),
  CPU_WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(4),
  /** Concurrent inference activities per GPU worker; size it to the device's memory. */
  GPU_WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(1),

  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  S3_ENDPOINT: optionalNonEmpty,
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().default('voice-platform'),
  S3_ACCESS_KEY_ID: optionalNonEmpty,
  S3_SECRET_ACCESS_KEY: optionalNonEmpty,
  S3_FORCE_PATH_STYLE: booleanFromString.default('true'),
  SIGNED_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600)
    .default(900),

  /** HS256 key for access tokens and local signed URLs; generated into DATA_DIR when unset outside production. */
  JWT_SECRET: optionalNonEmpty,
  /**
   * Key ring sealing secrets stored in the database (TOTP secrets, later webhook and provider secrets); see
   * parseDataEncryptionKeys. Generated into DATA_DIR/secrets when unset outside production.
   */
  DATA_ENCRYPTION_KEY: optionalNonEmpty,
  /** Both or neither: at start the API creates or updates this admin account (idempotent). */
  ADMIN_EMAIL: optionalNonEmpty,
  ADMIN_PASSWORD: optionalNonEmpty,
  /** Issuer shown by authenticator apps for this platform's TOTP entries. */
  MFA_ISSUER: z.string().trim().min(1).max(64).default('Voice Platform'),
  /** Per window: one-time-code attempts per account at POST /api/auth/mfa (every attempt counts). */
  AUTH_MFA_RATE_LIMIT: z.coerce.number().int().min(1).default(5),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).default(30),
  /** Per window: register and MFA attempts per client address, login attempts per (email, address) pair. */
  AUTH_RATE_LIMIT: z.coerce.number().int().min(1).default(5),
  /**
   * Per window: session refreshes per client address. The web app refreshes on every page load, and a refresh token
   * is single-use (reuse revokes its sign-in), so this guards load, not guessing: far above AUTH_RATE_LIMIT.
   */
  AUTH_REFRESH_RATE_LIMIT: z.coerce.number().int().min(1).default(60),
  /** Per window: login attempts from one address over all emails (headroom for clients sharing a NAT). */
  AUTH_LOGIN_IP_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  /** Per window: login attempts for one email from all addresses before each further one is delayed (never refused). */
  AUTH_EMAIL_SLOWDOWN_AFTER: z.coerce.number().int().min(1).default(10),
  AUTH_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  COOKIE_SECURE: booleanFromString.default('false'),
  /**
   * Which proxies in front of the API to believe about the client's address (X-Forwarded-For), as Express's
   * "trust proxy": a hop count (`1` behind one gateway) or addresses/subnets (`loopback, 10.0.0.0/8`). Unset = none,
   * so behind a proxy every client would share the proxy's address in the per-address rate limits.
   */
  TRUST_PROXY: optionalNonEmpty.transform((value) =>
    value === undefined ? undefined : /^\d+$/.test(value) ? Number(value) : value,
  ),
  /** Browser origins allowed to call the API cross-origin, with credentials; none by default (same-origin web app). */
  ALLOWED_ORIGINS: originList,
  /** The built web app (apps/web/dist) the API serves at /; unset = the one in this checkout. */
  WEB_APP_DIR: optionalNonEmpty,

  /**
   * Outgoing mail (verification, password reset): `smtp://user:pass@host:587` (STARTTLS when offered) or
   * `smtps://…:465`. Unset = each mail is written as an .eml file under DATA_DIR/outbox instead.
   */
  SMTP_URL: optionalNonEmpty.refine(
    (value) => value === undefined || (URL.canParse(value) && ['smtp:', 'smtps:'].includes(new URL(value).protocol)),
    'must be an smtp:// or smtps:// URL',
  ),
  /** The From of every mail: an address, or `Name <address>`. */
  MAIL_FROM: z.string().trim().min(3).default('Voice Studio <no-reply@localhost>'),
  /** Lifetime of the link in the verification mail. */
  EMAIL_VERIFICATION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 24)
    .default(48),
  /** Lifetime of a password-reset link; short, since the link alone takes over the account. */
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(60).default(30),
  /**
   * Per AUTH_RATE_WINDOW_SECONDS: forgot-password and reset-password requests per client address (beyond it 429),
   * and reset mails per email address (beyond it still 202, but nothing is sent, so no inbox can be flooded).
   */
  PASSWORD_RESET_RATE_LIMIT: z.coerce.number().int().min(1).default(5),

  /**
   * Payments. A provider is offered only when its keys are set; the *_API_BASE variables point an SDK at another
   * server (stripe-mock and the local fakes in tests; leave unset in production).
   */
  STRIPE_SECRET_KEY: optionalNonEmpty,
  /** The webhook endpoint's signing secret (whsec_…); without it Stripe webhooks answer 400. */
  STRIPE_WEBHOOK_SECRET: optionalNonEmpty,
  /** Lets the web app show Stripe's Payment Element (pk_…); without it the client secret alone is returned. */
  STRIPE_PUBLISHABLE_KEY: optionalNonEmpty,
  STRIPE_API_BASE: optionalUrl,
  RAZORPAY_KEY_ID: optionalNonEmpty,
  RAZORPAY_KEY_SECRET: optionalNonEmpty,
  RAZORPAY_WEBHOOK_SECRET: optionalNonEmpty,
  RAZORPAY_API_BASE: optionalUrl,
  PAYPAL_CLIENT_ID: optionalNonEmpty,
  PAYPAL_CLIENT_SECRET: optionalNonEmpty,
  /** The id PayPal gave the webhook subscription; verify-webhook-signature needs it. */
  PAYPAL_WEBHOOK_ID: optionalNonEmpty,
  PAYPAL_API_BASE: optionalUrl,
  PAYPAL_MODE: z.enum(['sandbox', 'live']).default('sandbox'),
  /**
   * The credit packages on sale, as JSON `[{"id","name","minutes","priceMinor","currency","discount"}]` (prices in
   * the currency's minor unit); unset = the seed's basic / pro / premium in US cents. UPI through Razorpay needs INR.
   */
  CREDIT_PACKAGES: optionalNonEmpty,

  /**
   * Webhooks. Deliveries to loopback and private addresses (RFC 1918, fc00::/7, link-local, CGNAT) are refused at
   * registration and at delivery; `true` allows them, for tests and self-hosted receivers on the same network.
   * Metadata addresses and 0.0.0.0 stay refused either way.
   */
  WEBHOOK_ALLOW_PRIVATE: booleanFromString.default('false'),
  /** First retry of a failed delivery after this long; each next one waits twice as long, up to the maximum. */
  WEBHOOK_RETRY_INITIAL_SECONDS: z.coerce.number().min(0.05).default(30),
  WEBHOOK_RETRY_MAX_INTERVAL_SECONDS: z.coerce.number().min(0.05).default(3600),
  /** A delivery is retried for this long; an endpoint failing for this long is disabled and its owner mailed. */
  WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce.number().min(1).default(86_400),

  /**
   * Operations. `/metrics` (Prometheus text format) is served on its own port, never on the public API; unset = off.
   * The Temporal SDK's own worker metrics get a port of their own too (TEMPORAL_METRICS_PORT), also off when unset.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().default('0.0.0.0'),
  TEMPORAL_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** `json`: one JSON object per line (pino), for log shippers; `pretty`: the same lines, readable in a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** OTLP/HTTP collector for traces (e.g. http://otel-collector:4318); unset = no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /** On SIGTERM: how long in-flight requests and running activities get to finish before they are cut off. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /**
   * API only: after SIGTERM, keep serving this long with readiness (GET /api/health) at 503 before the listener closes,
   * so a load balancer that polls health stops sending first. Kubernetes removes a terminating pod's endpoints by
   * itself: use a preStop sleep there and leave this 0.
   */
  SHUTDOWN_DRAIN_DELAY_SECONDS: z.coerce.number().min(0).max(600).default(0),
  /** Inputs, outputs and scratch older than this are deleted by the retention schedule (outputs only after their download window). */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),

  /** Free grant for new users, in credit-seconds (1800 = 30 minutes). */
  FREE_CREDIT_SECONDS: z.coerce.number().int().min(0).default(1800),
  /** Uploads stream to disk, so the cap is about disk and bandwidth: 1 GiB holds an hour of 48 kHz stereo 24-bit WAV. */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024),

  /** Threads that decode and analyse voice samples off the API's event loop; each keeps about one core busy. */
  VOICE_ANALYSIS_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  /** Voice uploads waiting for a thread beyond these answer 503 with Retry-After instead of piling up. */
  VOICE_ANALYSIS_QUEUE: z.coerce.number().int().min(0).max(1000).default(4),
  /** Longest voice sample accepted (seconds); checked from the header before anything is decoded. */
  VOICE_SAMPLE_MAX_SECONDS: z.coerce.number().int().min(10).max(600).default(300),
  /** Voice uploads per user per window; beyond it, 429 with Retry-After. */
  VOICE_UPLOAD_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  VOICE_UPLOAD_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Job submissions (POST /api/jobs, /api/audio/*) per user per window, every attempt counting; premium skips it. */
  JOB_SUBMIT_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  JOB_SUBMIT_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * Live job events (GET /api/jobs/:id/events): one watcher per job reads its row and live progress this often,
   * shared by every listener of that job; a keep-alive comment goes out this often so proxies keep the stream open.
   */
  JOB_EVENTS_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  JOB_EVENTS_KEEPALIVE_MS: z.coerce.number().int().min(50).max(300_000).default(15_000),
  /** Open event streams per job (beyond it, 429) and in this process (beyond it, 503): each holds a socket. */
  JOB_EVENTS_MAX_PER_JOB: z.coerce.number().int().min(1).default(10),
  JOB_EVENTS_MAX_STREAMS: z.coerce.number().int().min(1).default(1000),
  /** Requests per API key per window, on every route the key reaches. */
  API_KEY_RATE_LIMIT: z.coerce.number().int().min(1).default(100),
  API_KEY_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),

  MODELS_DIR: optionalNonEmpty,
  /** Inference sessions are unloaded after this many idle seconds to give memory back. */
  MODEL_IDLE_UNLOAD_SECONDS: z.coerce.number().int().min(1).default(600),
  FFMPEG_PATH: optionalNonEmpty,
});

export type Env = z.infer<typeof envSchema> & { DATA_DIR: string };

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid environment:\n  ${issues.join('\n  ')}`);
    this.name = 'EnvError';
  }
}

/** Parses and validates the environment once; throws listing every bad key. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = { ...result.data, DATA_DIR: path.resolve(result.data.DATA_DIR) };
  const problems: string[] = [];
  if (env.STORAGE_DRIVER === 's3') {
    for (const key of ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!env[key]) problems.push(`${key}: required when STORAGE_DRIVER=s3`);
    }
  }
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) problems.push('JWT_SECRET: required in production');
  if (env.JWT_SECRET && env.JWT_SECRET.length < 32) problems.push('JWT_SECRET: must be at least 32 characters');
  if (env.DATA_ENCRYPTION_KEY) {
    try {
      parseDataEncryptionKeys(env.DATA_ENCRYPTION_KEY);
    } catch (error) {
      problems.push(`DATA_ENCRYPTION_KEY: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else if (env.NODE_ENV === 'production') {
    // A generated key on a production disk would sit beside the database it protects: refuse instead.
    problems.push('DATA_ENCRYPTION_KEY: required in production (keyId:base64key, e.g. k1:$(openssl rand -base64 32))');
  }
  if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
    problems.push('ADMIN_EMAIL, ADMIN_PASSWORD: set both or neither');
  } else if (env.ADMIN_EMAIL && !z.string().email().safeParse(env.ADMIN_EMAIL.trim()).success) {
    problems.push('ADMIN_EMAIL: must be a valid email address');
  }
  if (problems.length > 0) throw new EnvError(problems);
  return env;
}

let cached: Env | undefined;
/** The process-wide env, parsed on first use. */
export function loadEnv(): Env {
  cached ??= parseEnv();
  return cached;
}

/**
 * The env as variables again, so a child process (the platform's worker host) parses exactly what its parent
 * runs with, overrides included. `omit` keeps keys out of the child's environment (a secret sent another way).
 */
export function envToVariables(env: Env, omit: ReadonlyArray<keyof Env> = []): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || (omit as readonly string[]).includes(key)) continue;
    variables[key] = String(value);
  }
  return variables;
}

/** The base of links handed out (mails, local storage, payment return URLs): PUBLIC_BASE_URL or the API's own. */
export function publicBaseUrl(env: Pick<Env, 'PUBLIC_BASE_URL' | 'API_PORT'>): string {
  return (env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${env.API_PORT}`).replace(/\/+$/, '');
}
