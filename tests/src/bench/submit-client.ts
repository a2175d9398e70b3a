import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

/**
 * A client process for the bench's loaded-submit figure: a real client is not inside the API's process, and
 * encoding a 1 MiB multipart body there would be charged to the server's event loop. Alternates an accepted
 * upload with the same upload rejected at validation, so both see the same load; prints one JSON line.
 *
 * Each body is encoded once, as a client streaming a file (curl -F) spends next to nothing on it: the figure is the
 * server's. With an interval, a pair starts every `intervalMs` (a steady 2 submits/s at 500 ms, a busy studio);
 * without one they go back to back, a flood in which every accepted job's own pipeline adds to the load.
 *
 * With a floor URL (floor-server.ts), each pair is followed by the same accepted body sent to the floor's three
 * endpoints, so the floor is measured at the same moments as the API.
 *
 * Usage (forked by bench.ts): node submit-client.js <apiUrl> <wavFile> <count> [intervalMs] [floorUrl], access
 * token on stdin.
 */
async function main(): Promise<void> {
  const [apiUrl, wavFile, countText, intervalText, floorUrl] = process.argv.slice(2);
  if (!apiUrl || !wavFile || !countText)
    throw new Error('usage: submit-client <apiUrl> <wavFile> <count> [intervalMs] [floorUrl]');
  // The token comes over stdin, never argv (visible to every user in ps).
  const token = readFileSync(0, 'utf8').trim();
  const wav = readFileSync(wavFile);
  const intervalMs = intervalText ? Number(intervalText) : 0;
  const floor: Record<FloorPart, number[]> = { receive: [], durable: [], start: [] };
  const valid = multipart(wav, { noise_level: 'moderate' });
  const invalid = multipart(wav, { noise_level: 'deafening' });
  const send = async (body: Multipart) => {
    const response = await fetch(`${apiUrl}/api/audio/denoise`, {
      method: 'POST',
      body: body.bytes,
      headers: { 'content-type': body.contentType, authorization: `Bearer ${token}` },
    });
    return { status: response.status, text: await response.text() };
  };
  const accepted: number[] = [];
  const rejected: number[] = [];
  const jobIds: string[] = [];
  const begun = performance.now();
  for (let i = 0; i < Number(countText); i++) {
    const due = begun + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    let started = performance.now();
    const ok = await send(valid);
    accepted.push(performance.now() - started);
    if (ok.status !== 202) throw new Error(`submit failed: ${ok.status} ${ok.text}`);
    jobIds.push((JSON.parse(ok.text) as { jobId: string }).jobId);
    started = performance.now();
    const bad = await send(invalid);
    rejected.push(performance.now() - started);
    if (bad.status !== 400) throw new Error(`expected a validation error, got ${bad.status} ${bad.text}`);
    if (!floorUrl) continue;
    for (const part of FLOOR_PARTS) {
      started = performance.now();
      const response = await fetch(`${floorUrl}/${part}`, { method: 'POST', body: valid.bytes });
      const text = await response.text();
      floor[part].push(performance.now() - started);
      if (response.status !== 202) throw new Error(`floor ${part} failed: ${response.status} ${text}`);
    }
  }
  process.stdout.write(`${JSON.stringify({ accepted, rejected, jobIds, ...(floorUrl ? { floor } : {}) })}\n`);
}

/** floor-server.ts's endpoints, each adding one part a durable submit cannot skip. */
const FLOOR_PARTS = ['receive', 'durable', 'start'] as const;
export type FloorPart = (typeof FLOOR_PARTS)[number];

interface Multipart {
  bytes: Buffer;
  contentType: string;
}

/** multipart/form-data with the file first, then the fields, as ApiClient.upload sends it. */
function multipart(file: Buffer, fields: Record<string, string>): Multipart {
  const boundary = `----voice-bench-${randomUUID()}`;
  const parts = [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="audio_file"; filename="one-mb.wav"\r\n` +
        'Content-Type: audio/wav\r\n\r\n',
    ),
    file,
    Buffer.from('\r\n'),
    ...Object.entries(fields).map(([name, value]) =>
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ];
  return { bytes: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
