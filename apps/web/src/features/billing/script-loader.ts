/** A provider's own script (Stripe.js, Razorpay Checkout) must come from its origin; this many ms is given up on. */
export const SCRIPT_TIMEOUT_MS = 15_000;

const loading = new Map<string, Promise<void>>();

/**
 * Adds `<script src>` once and resolves when it has run. A script element, not an import: the providers require
 * their scripts be loaded from their servers, and the CSP lets exactly those origins in (only when configured).
 * A failure (offline, blocked, too slow) removes the element, so a later attempt tries again.
 */
export function loadScript(src: string, timeoutMs = SCRIPT_TIMEOUT_MS): Promise<void> {
  const existing = loading.get(src);
  if (existing) return existing;
  const load = new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    const fail = (reason: string) => {
      window.clearTimeout(timer);
      script.remove();
      loading.delete(src);
      reject(new Error(reason));
    };
    const timer = window.setTimeout(() => fail(`${src} did not load within ${timeoutMs / 1000} s`), timeoutMs);
    script.addEventListener('load', () => {
      window.clearTimeout(timer);
      resolve();
    });
    script.addEventListener('error', () => fail(`${src} could not be loaded`));
    document.head.append(script);
  });
  loading.set(src, load);
  return load;
}
