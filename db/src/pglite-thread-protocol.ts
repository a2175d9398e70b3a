/** Messages between `PgliteThreadClient` and its worker thread (`pglite-thread.ts`). */

export interface ThreadStart {
  /** PGlite's data directory; in memory when absent. */
  dataDir?: string;
}

export type ThreadRequest =
  | {
      id: number;
      kind: 'query';
      sql: string;
      params: unknown[] | undefined;
      rowMode: 'array' | 'object' | undefined;
      /** Runs inside this open transaction instead of on its own. */
      transactionId?: number;
    }
  | { id: number; kind: 'begin' }
  | { id: number; kind: 'end'; transactionId: number; commit: boolean }
  | { id: number; kind: 'close' };

export interface SerializedDbError {
  message: string;
  name?: string;
  /** String fields of Postgres's error (code, detail, constraint, table, …). */
  fields?: Record<string, string>;
}

export interface ThreadQueryResult {
  rows: unknown[];
  affectedRows?: number;
}

export type ThreadResponse =
  | { id: number; ok: true; result?: ThreadQueryResult; transactionId?: number }
  | { id: number; ok: false; error: SerializedDbError };

export type ThreadReady = { ready: true } | { ready: false; error: SerializedDbError };
