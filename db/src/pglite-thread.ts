/**
 * Worker-thread entry that owns an embedded PGlite database (see `PgliteThreadClient`). PGlite runs Postgres
 * compiled to WebAssembly synchronously on the thread that calls it; here, that is this thread and not the API's
 * event loop. Messages are `ThreadRequest`s; every one is answered with a `ThreadResponse` of the same id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import type { ThreadRequest, ThreadResponse, SerializedDbError, ThreadStart } from './pglite-thread-protocol';

// drizzle's pglite driver passes these parsers on every query: date and time values stay the strings Postgres
// sent. Functions cannot cross threads, so the thread applies the same set itself.
const passThrough = (value: string) => value;
const DRIZZLE_PARSERS = Object.fromEntries(
  [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map((oid) => [
    oid,
    passThrough,
  ]),
);

function serializeError(error: unknown): SerializedDbError {
  if (!(error instanceof Error)) return { message: String(error) };
  // DatabaseError's fields (code, detail, constraint, …) are own properties; copy the string-valued ones.
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(error)) if (typeof value === 'string') fields[key] = value;
  return { message: error.message, name: error.name, fields };
}

interface OpenTransaction {
  tx: Transaction;
  finish: (commit: boolean) => void;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('pglite-thread must run in a worker thread');
  const { dataDir } = workerData as ThreadStart;
  const pg = dataDir ? new PGlite(dataDir) : new PGlite();
  await pg.waitReady;
  const transactions = new Map<number, OpenTransaction>();
  // Each settles once its COMMIT or ROLLBACK has run, and rejects when the commit failed.
  const outcomes = new Map<number, Promise<void>>();
  let nextTransactionId = 1;

  const reply = (response: ThreadResponse) => port.postMessage(response);

  const handle = async (request: ThreadRequest): Promise<ThreadResponse> => {
    switch (request.kind) {
      case 'query': {
        const target = request.transactionId === undefined ? pg : transactions.get(request.transactionId)?.tx;
        if (!target) throw new Error(`transaction ${request.transactionId} is not open`);
        const result = await target.query(request.sql, request.params, {
          rowMode: request.rowMode,
          parsers: DRIZZLE_PARSERS,
        });
        return { id: request.id, ok: true, result: { rows: result.rows, affectedRows: result.affectedRows } };
      }
      case 'begin': {
        const transactionId = nextTransactionId++;
        let markOpen!: () => void;
        const opened = new Promise<void>((resolve) => (markOpen = resolve));
        // PGlite's transaction() holds its lock until the callback settles; other queries queue behind it,
        // which is exactly the isolation its single connection gives in-process.
        const outcome = pg
          .transaction(
            (tx) =>
              new Promise<void>((resolve, reject) => {
                transactions.set(transactionId, {
                  tx,
                  finish: (commit) => (commit ? resolve() : reject(new RollbackRequested())),
                });
                markOpen();
              }),
          )
          .then(
            () => undefined,
            (error: unknown) => {
              if (!(error instanceof RollbackRequested)) throw error;
            },
          );
        outcomes.set(transactionId, outcome);
        // Observed here so a failed BEGIN answers this request; a failed COMMIT answers the 'end' request.
        outcome.catch(() => undefined);
        try {
          await Promise.race([opened, outcome]);
        } finally {
          if (!transactions.has(transactionId)) outcomes.delete(transactionId);
        }
        return { id: request.id, ok: true, transactionId };
      }
      case 'end': {
        const open = transactions.get(request.transactionId);
        if (!open) throw new Error(`transaction ${request.transactionId} is not open`);
        transactions.delete(request.transactionId);
        const outcome = outcomes.get(request.transactionId);
        outcomes.delete(request.transactionId);
        open.finish(request.commit);
        await outcome;
        return { id: request.id, ok: true };
      }
      case 'close':
        await pg.close();
        return { id: request.id, ok: true };
    }
  };

  port.on('message', (request: ThreadRequest) => {
    handle(request).then(reply, (error: unknown) => reply({ id: request.id, ok: false, error: serializeError(error) }));
  });
  port.postMessage({ ready: true });
}

/** Thrown into PGlite's transaction callback to make it roll back. */
class RollbackRequested extends Error {}

main().catch((error: unknown) => {
  parentPort?.postMessage({ ready: false, error: serializeError(error) });
});
