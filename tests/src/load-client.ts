import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ApiClient } from './api-client';

/**
 * Client processes for load tests. A real client is not inside the API's process: encoding tens of MB of
 * multipart there would be charged to the very event loop a test measures, and a poller sharing that loop
 * cannot see a stall that starts while it sleeps. Each mode prints one JSON line on stdout.
 *
 *   node load-client.js upload <apiUrl> <file>...   access token on stdin; uploads all at once to
 *                                                    POST /api/voices/upload → [{ status, text, doneMs }]
 *   node load-client.js poll <apiUrl> <maxSeconds>  GETs /api/health back to back (20 ms apart) until stdin
 *                                                    ends or maxSeconds pass → { latenciesMs, statuses }
 */
async function upload(apiUrl: string, files: string[]): Promise<void> {
  const api = new ApiClient(apiUrl);
  // The token comes over stdin, never argv (visible to every user in ps).
  api.accessToken = readFileSync(0, 'utf8').trim();
  const started = performance.now();
  const results = await Promise.all(
    files.map(async (file) => {
      const name = path.basename(file);
      const response = await api.upload('/api/voices/upload', readFileSync(file), name, { name });
      return { status: response.status, text: response.text, doneMs: Math.round(performance.now() - started) };
    }),
  );
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

async function poll(apiUrl: string, maxSeconds: number): Promise<void> {
  let stop = false;
  process.stdin.on('end', () => (stop = true)).resume();
  const deadline = performance.now() + maxSeconds * 1000;
  const latenciesMs: number[] = [];
  const statuses: number[] = [];
  while (!stop && performance.now() < deadline) {
    const started = performance.now();
    const response = await fetch(`${apiUrl}/api/health`);
    await response.arrayBuffer();
    latenciesMs.push(Math.round((performance.now() - started) * 10) / 10);
    statuses.push(response.status);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The open stdin pipe would keep this process alive after a timed stop.
  process.stdin.destroy();
  process.stdout.write(`${JSON.stringify({ latenciesMs, statuses })}\n`);
}

async function main(): Promise<void> {
  const [mode, apiUrl, ...rest] = process.argv.slice(2);
  if (mode === 'upload' && apiUrl && rest.length > 0) return upload(apiUrl, rest);
  if (mode === 'poll' && apiUrl && rest.length === 1) return poll(apiUrl, Number(rest[0]));
  throw new Error('usage: load-client upload <apiUrl> <file>... | poll <apiUrl> <maxSeconds>');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
