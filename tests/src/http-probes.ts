import * as http from 'node:http';

/** A raw HTTP reply. */
export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function collect(response: http.IncomingMessage, resolve: (reply: RawReply) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () =>
    resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }),
  );
}

/** A GET on a connection of its own: the reply, or the connection error's code (ECONNREFUSED once closed). */
export function freshGet(url: string): Promise<RawReply | { error: string }> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false }, (response) => collect(response, resolve));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

/**
 * A multipart upload (`audio_file`) sent in two halves, so it is in flight (headers and half the file received)
 * until `finish()` sends the rest. `reply` rejects if the server cuts the connection.
 */
export function slowUpload(url: string, file: Buffer, headers: Record<string, string> = {}) {
  const boundary = `----slow${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="audio_file"; filename="upload.wav"\r\n` +
      'Content-Type: audio/wav\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const half = Math.floor(file.length / 2);
  const request = http.request(url, {
    method: 'POST',
    agent: false,
    headers: {
      ...headers,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + file.length + tail.length),
    },
  });
  const reply = new Promise<RawReply>((resolve, reject) => {
    request.on('response', (response) => collect(response, resolve));
    request.on('error', reject);
  });
  request.write(Buffer.concat([head, file.subarray(0, half)]));
  return { reply, finish: () => request.end(Buffer.concat([file.subarray(half), tail])) };
}

/** Reads a server-sent event stream until the server ends it: its frames as raw text blocks. */
export async function readSseFrames(response: Response): Promise<string[]> {
  const frames: string[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body ?? []) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      frames.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
  return frames;
}
