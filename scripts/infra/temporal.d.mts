// Types for temporal.mjs, so TypeScript (including CommonJS code using `await import()`) can call it safely.

export declare const TEMPORAL_CLI_VERSION: string;

export type SearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface EnsureTemporalCliOptions {
  /** Defaults to `<repo>/.cache/bin`. */
  cacheDir?: string;
  log?: (message: string) => void;
}

export declare function ensureTemporalCli(options?: EnsureTemporalCliOptions): Promise<string>;

export interface TemporalDevServerOptions {
  /** Defaults to `ensureTemporalCli()`. */
  cliPath?: string;
  /** Bind address for gRPC and UI; defaults to 127.0.0.1. */
  ip?: string;
  /** 0/undefined picks a free port. */
  port?: number;
  uiPort?: number;
  /** Skip the Web UI. */
  headless?: boolean;
  /** SQLite file for persistent state; in memory when omitted. */
  dbFile?: string;
  /** Created at launch unless `default`. */
  namespace?: string;
  searchAttributes?: Record<string, SearchAttributeType>;
  /** Passed as `--dynamic-config-value KEY=<json>`. */
  dynamicConfig?: Record<string, unknown>;
  /** Server output; a temp file when omitted. */
  logFile?: string;
  startTimeoutMs?: number;
}

export interface TemporalDevServer {
  /** `host:port` of the frontend gRPC service. */
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  cliPath: string;
  pid: number;
  logFile: string;
  /** Stops the server process group; idempotent. */
  stop(): Promise<void>;
}

export declare function startTemporalDevServer(options?: TemporalDevServerOptions): Promise<TemporalDevServer>;
