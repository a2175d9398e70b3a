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
  /** Passed as `--dynamic-config-value KEY=<json>`, over the defaults of `devServerDynamicConfig()`. */
  dynamicConfig?: Record<string, unknown>;
  /** Server output; a temp file when omitted. */
  logFile?: string;
  startTimeoutMs?: number;
  /** Called with the server's pid as soon as it is spawned, before it is ready (e.g. to record it). */
  onSpawn?: (pid: number) => void;
}

/** Thrown before spawning when a requested port is already taken. */
export declare class PortInUseError extends Error {
  readonly code: 'EADDRINUSE';
  readonly host: string;
  readonly port: number;
  readonly role: 'gRPC' | 'UI';
}

export interface TemporalDevServer {
  /** `host:port` of the frontend gRPC service. */
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  cliPath: string;
  pid: number;
  logFile: string;
  /** Settles with the exit status (code or signal) when the process ends, whatever ended it. */
  exited: Promise<string | number>;
  /** Stops the server process group; idempotent. */
  stop(): Promise<void>;
}

/** The dynamic config every dev server starts with: temporal-config/dev-server-dynamic-config.json. */
export declare function devServerDynamicConfig(): Record<string, unknown>;

export declare function startTemporalDevServer(options?: TemporalDevServerOptions): Promise<TemporalDevServer>;
