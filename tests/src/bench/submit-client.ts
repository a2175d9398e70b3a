import { readFileSync } from 'node:fs';
import { ApiClient } from '../api-client';

/**
 * A client process for the bench's loaded-submit figure: a real client is not inside the API's process, and
 * encoding a 1 MiB multipart body there would be charged to the server's event loop. Alternates an accepted
 * upload with the same upload rejected at validation, so both see the same load; prints one JSON line.
 *
 * Usage (forked by bench.ts): node submit-client.js <apiUrl> <wavFile> <count>, access token on stdin.
 */
async function main(): Promise<void> {
  const [apiUrl, wavFile, countText] = process.argv.slice(2);
  if (!apiUrl || !wavFile || !countText) throw new Error('usage: submit-client <apiUrl> <wavFile> <count>');
  const api = new ApiClient(apiUrl);
  // The token comes over stdin, never argv (visible to every user in ps).
  api.accessToken = readFileSync(0, 'utf8').trim();
  const wav = readFileSync(wavFile);
  const accepted: number[] = [];
  const rejected: number[] = [];
  const jobIds: string[] = [];
  for (let i = 0; i < Number(countText); i++) {
    let started = performance.now();
    const ok = await api.upload('/api/audio/denoise', wav, 'one-mb.wav', { noise_level: 'moderate' });
    accepted.push(performance.now() - started);
    if (ok.status !== 202) throw new Error(`submit failed: ${ok.status} ${ok.text}`);
    jobIds.push(ok.json['jobId'] as string);
    started = performance.now();
    const bad = await api.upload('/api/audio/denoise', wav, 'one-mb.wav', { noise_level: 'deafening' });
    rejected.push(performance.now() - started);
    if (bad.status !== 400) throw new Error(`expected a validation error, got ${bad.status} ${bad.text}`);
  }
  process.stdout.write(`${JSON.stringify({ accepted, rejected, jobIds })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
