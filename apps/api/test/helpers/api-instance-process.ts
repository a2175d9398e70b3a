/**
 * One API instance in a process of its own, for tests that need several (rate-limits-cluster.test.ts). The parent
 * passes the whole configuration in the environment (DATABASE_URL among it); this prints `{"port":N}` on a line
 * once listening and closes on SIGTERM. Each instance builds everything itself, its rate limiter included.
 */
import { parseEnv } from '@voice/config';
import { createDatabase } from '@voice/db';

import { createApiApp } from '../../src';

async function main(): Promise<void> {
  const env = parseEnv(process.env);
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required');
  const database = await createDatabase({ url: env.DATABASE_URL, poolMax: 4 });
  const app = await createApiApp({ env, database, ownsDependencies: true });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
