// Types for stripe-mock.mjs.
import type { EnsureToolOptions } from './minio.mjs';

export declare const STRIPE_MOCK_MODULE_VERSION: string;
/** `sk_test_123`: stripe-mock takes any key shaped like a test-mode secret key. */
export declare const STRIPE_MOCK_API_KEY: string;

export declare function ensureStripeMock(options?: EnsureToolOptions): Promise<string>;

export interface StripeMockOptions {
  /** Defaults to `ensureStripeMock()`. */
  stripeMockPath?: string;
  /** 0/undefined picks a free port. */
  port?: number;
  logFile?: string;
  startTimeoutMs?: number;
}

export interface StripeMockServer {
  /** `http://127.0.0.1:<port>`: point the SDK's host/port/protocol (STRIPE_API_BASE) at it. */
  url: string;
  apiKey: string;
  pid: number;
  logFile: string;
  /** Stops the server; idempotent. */
  stop(): Promise<void>;
}

export declare function startStripeMock(options?: StripeMockOptions): Promise<StripeMockServer>;
