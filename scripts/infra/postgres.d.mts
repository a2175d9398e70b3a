// Types for postgres.mjs.

export interface PostgresInstallation {
  binDir: string;
  /** `postgres --version` output. */
  version: string;
}

export declare function ensurePostgres(options?: { log?: (message: string) => void }): Promise<PostgresInstallation>;

export interface PostgresOptions {
  /** Defaults to `ensurePostgres().binDir`. */
  binDir?: string;
  /** Reused if it already holds a cluster; a temp dir (removed by stop()) when omitted. */
  dataDir?: string;
  /** 0/undefined picks a free port. */
  port?: number;
  /** Created if missing; default `voice_test`. */
  database?: string;
  logFile?: string;
  startTimeoutMs?: number;
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust auth, superuser). */
  url: string;
  host: string;
  port: number;
  database: string;
  dataDir: string;
  pid: number;
  logFile: string;
  /** Fast shutdown of the whole process group, then removes temp data it created; idempotent. */
  stop(): Promise<void>;
}

export declare function startPostgres(options?: PostgresOptions): Promise<PostgresServer>;
