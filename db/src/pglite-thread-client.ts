import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  SerializedDbError,
  ThreadQueryResult,
  ThreadReady,
  ThreadRequest,
  ThreadResponse,
  ThreadStart,
} from './pglite-thread-protocol';

/** The part of PGlite's API that drizzle's pglite driver calls; the thread client implements exactly this. */
export interface PgliteQueryable {
  query(sql: string, params?: unknown[], options?: { rowMode?: 'array' | 'object' }): Promise<ThreadQueryResult>;
}
export interface PgliteLike extends PgliteQueryable {
  transaction<T>(callback: (tx: PgliteQueryable) => Promise<T>): Promise<T>;
}

/** A Postgres error raised in the thread, with the fields (code, detail, constraint, …) Postgres gave it. */
export class PgliteThreadError extends Error {
  readonly code: string | undefined;
  /** Where pg's and PGlite's own errors have them too: the violated constraint, and the column of a NOT NULL one. */
  readonly constraint: string | undefined;
  readonly column: string | undefined;
  readonly fields: Readonly<Record<string, string>>;
  constructor(serialized: SerializedDbError) {
    super(serialized.message);
    this.name = serialized.name ?? 'DatabaseError';
    this.fields = serialized.fields ?? {};
    this.code = this.fields['code'];
    this.constraint = this.fields['constraint'];
    this.column = this.fields['column'];
  }
}

type RequestBody = ThreadRequest extends infer R ? (R extends ThreadRequest ? Omit<R, 'id'> : never) : never;

/**
 * PGlite in a worker thread of this process, behind the small surface drizzle uses. PGlite executes Postgres
 * (WebAssembly) synchronously on its caller's thread: in-process it took a fifth of the API's event loop under
 * load (see docs/performance-notes.md), stalling every request behind whatever query ran. Here a query costs the
 * loop only a message each way. Ordering and isolation are PGlite's own: the thread runs one query at a time
 * and an open transaction holds its lock until it ends.
 */
export class PgliteThreadClient implements PgliteLike {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: ThreadResponse) => void; reject: (e: Error) => void }
  >();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (response: ThreadResponse) => {
      const waiter = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (this.pending.size === 0) worker.unref();
      waiter?.resolve(response);
    });
    const failAll = (error: Error) => {
      this.failure = error;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    // Like in-process PGlite, an idle database does not keep the process alive; a query in flight does.
    worker.unref();
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the database thread exited (code ${code})`)));
  }

  /** Starts the thread and waits until the database is open (migrations are the caller's). */
  static async open(start: ThreadStart): Promise<PgliteThreadClient> {
    const worker = new Worker(path.join(__dirname, 'pglite-thread.js'), { workerData: start });
    const ready = await new Promise<ThreadReady>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the database thread exited while opening (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (message: ThreadReady) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve(message);
      });
    });
    if (!ready.ready) {
      await worker.terminate();
      throw new PgliteThreadError(ready.error);
    }
    return new PgliteThreadClient(worker);
  }

  query(sql: string, params?: unknown[], options?: { rowMode?: 'array' | 'object' }): Promise<ThreadQueryResult> {
    return this.queryIn(undefined, sql, params, options);
  }

  async transaction<T>(callback: (tx: PgliteQueryable) => Promise<T>): Promise<T> {
    const begun = await this.call({ kind: 'begin' });
    const transactionId = begun.transactionId;
    if (transactionId === undefined) throw new Error('the database thread opened no transaction');
    const tx: PgliteQueryable = { query: (sql, params, options) => this.queryIn(transactionId, sql, params, options) };
    let result: T;
    try {
      result = await callback(tx);
    } catch (error) {
      await this.call({ kind: 'end', transactionId, commit: false });
      throw error;
    }
    await this.call({ kind: 'end', transactionId, commit: true });
    return result;
  }

  async close(): Promise<void> {
    if (!this.failure) await this.call({ kind: 'close' });
    await this.worker.terminate();
  }

  private async queryIn(
    transactionId: number | undefined,
    sql: string,
    params: unknown[] | undefined,
    options: { rowMode?: 'array' | 'object' } | undefined,
  ): Promise<ThreadQueryResult> {
    const response = await this.call({ kind: 'query', sql, params, rowMode: options?.rowMode, transactionId });
    if (!response.result) throw new Error('the database thread answered a query without a result');
    return response.result;
  }

  private call(body: RequestBody): Promise<Extract<ThreadResponse, { ok: true }>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (response) => (response.ok ? resolve(response) : reject(new PgliteThreadError(response.error))),
        reject,
      });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...body, id } satisfies ThreadRequest);
    });
  }
}
