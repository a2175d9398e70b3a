// Types for minio.mjs.

export declare const MINIO_MODULE_VERSION: string;
export declare const GO_TOOLCHAIN_VERSION: string;

export interface EnsureToolOptions {
  /** Defaults to `<repo>/.cache/bin`. */
  cacheDir?: string;
  log?: (message: string) => void;
}

export declare function ensureGo(options?: Pick<EnsureToolOptions, 'log'>): Promise<string>;
export declare function ensureMinio(options?: EnsureToolOptions): Promise<string>;

export interface MinioOptions {
  /** Defaults to `ensureMinio()`. */
  minioPath?: string;
  /** A fresh temp dir (removed by stop()) when omitted. */
  dataDir?: string;
  /** 0/undefined picks a free port. */
  port?: number;
  consolePort?: number;
  /** >= 3 characters; default `minioadmin`. */
  accessKey?: string;
  /** >= 8 characters; default `minioadmin`. */
  secretKey?: string;
  logFile?: string;
  startTimeoutMs?: number;
}

export interface MinioServer {
  /** `http://127.0.0.1:<port>`: use with forcePathStyle. */
  endpoint: string;
  consoleUrl: string;
  region: string;
  accessKey: string;
  secretKey: string;
  dataDir: string;
  pid: number;
  logFile: string;
  /** Stops the server and removes temp data it created; idempotent. */
  stop(): Promise<void>;
}

export declare function startMinio(options?: MinioOptions): Promise<MinioServer>;
