import { randomUUID } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

/**
 * The floor under the bench's loaded-submit figure: the least a durable submit can do, in a process of its own on
 * the same machine, under the same load, with none of the product around it (no auth, no validation, no database).
 * Three endpoints, each adding one unavoidable part:
 *   POST /receive  reads the body into memory and answers;
 *   POST /durable  also writes it to a file and fsyncs it (an accepted upload must survive a crash);
 *   POST /start    also starts a workflow on the platform's Temporal server (the job itself must be durable).
 * The workflows it starts name a task queue no worker polls and time out after a minute on their own.
 *
 * Usage (spawned by bench.ts): node floor-server.js <temporalAddress> <namespace>; prints its port on stdout.
 */
async function main(): Promise<void> {
  const [address, namespace] = process.argv.slice(2);
  if (!address || !namespace) throw new Error('usage: floor-server <temporalAddress> <namespace>');
  // The same kind of connection as the API's client (packages/runtime connectTemporalClient).
  const client = new Client({ connection: await NativeConnection.connect({ address }), namespace });
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-floor-'));
  const server = createServer((request, response) => {
    void handle(request).then(
      () => response.writeHead(202, { 'content-type': 'application/json' }).end('{}'),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });

  async function handle(request: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const route = request.url ?? '';
    if (route === '/receive') return;
    const file = path.join(dir, randomUUID());
    const handle = await open(file, 'w');
    try {
      await handle.writeFile(Buffer.concat(chunks));
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (route === '/start') {
      await client.workflow.start('benchFloorProbe', {
        taskQueue: 'bench-floor-unpolled',
        workflowId: `bench-floor-${randomUUID()}`,
        workflowExecutionTimeout: '1 minute',
      });
    }
    // Off the timed path (the answer goes out first), as the API's temp upload is removed after it answers.
    setImmediate(() => void rm(file, { force: true }));
  }

  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
  process.once('SIGTERM', () => {
    server.close();
    void rm(dir, { recursive: true, force: true }).finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
