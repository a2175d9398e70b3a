// Types for mailpit.mjs.
import type { EnsureToolOptions } from './minio.mjs';

export declare const MAILPIT_MODULE_VERSION: string;

export declare function ensureMailpit(options?: EnsureToolOptions): Promise<string>;

export interface MailpitOptions {
  /** Defaults to `ensureMailpit()`. */
  mailpitPath?: string;
  /** 0/undefined picks a free port. */
  smtpPort?: number;
  httpPort?: number;
  logFile?: string;
  startTimeoutMs?: number;
}

export interface MailpitServer {
  /** `smtp://test:test@127.0.0.1:<port>`: any credentials are accepted, without TLS. */
  smtpUrl: string;
  smtpPort: number;
  /** `http://127.0.0.1:<port>`, base of `/api/v1/...`. */
  apiUrl: string;
  pid: number;
  logFile: string;
  /** Stops the server (its database goes with it); idempotent. */
  stop(): Promise<void>;
}

export declare function startMailpit(options?: MailpitOptions): Promise<MailpitServer>;
