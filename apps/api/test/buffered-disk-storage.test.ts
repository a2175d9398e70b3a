import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import express from 'express';
import multer from 'multer';
import { bufferedDiskStorage } from '../src/jobs/buffered-disk-storage';

const BUFFER_BYTES = 64 * 1024;
const LIMIT_BYTES = 512 * 1024;

/** Bytes that differ at every offset modulo 251, so a dropped, doubled or reordered chunk shows. */
function patterned(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = i % 251;
  return bytes;
}

function multipartBody(file: Buffer): { body: Buffer; contentType: string } {
  const boundary = '----buffered-disk-storage-test';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="audio_file"; filename="a.wav"\r\n` +
        'Content-Type: audio/wav\r\n\r\n',
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('bufferedDiskStorage', () => {
  let destination: string;
  let server: Server;
  let url: string;
  /** What the handler saw: the stored file's bytes (read before the test deletes it), or multer's error code. */
  let seen: { bytes?: Buffer; size?: number; error?: string } = {};

  before(async () => {
    destination = await mkdtemp(path.join(tmpdir(), 'buffered-storage-'));
    const upload = multer({
      storage: bufferedDiskStorage({ destination, bufferBytes: BUFFER_BYTES }),
      limits: { fileSize: LIMIT_BYTES, files: 1 },
    }).single('audio_file');
    const app = express();
    app.post('/upload', (request, response) => {
      upload(request, response, (error: unknown) => {
        if (error) {
          seen = { error: (error as { code?: string }).code ?? String(error) };
          response.status(413).end();
          return;
        }
        const file = request.file!;
        void readFile(file.path).then(async (bytes) => {
          seen = { bytes, size: file.size };
          await rm(file.path);
          response.status(201).end();
        });
      });
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
  });

  after(async () => {
    server.close();
    await rm(destination, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen = {};
  });

  const post = async (file: Buffer) => {
    const { body, contentType } = multipartBody(file);
    const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } });
    await response.arrayBuffer();
    return response.status;
  };

  test('an upload under the buffer lands in one file with exactly its bytes', async () => {
    const file = patterned(BUFFER_BYTES - 1000);
    assert.equal(await post(file), 201);
    assert.equal(seen.size, file.length);
    assert.ok(seen.bytes?.equals(file), 'the stored bytes differ from the upload');
  });

  test('an upload past the buffer spills to disk and keeps exactly its bytes', async () => {
    const file = patterned(5 * BUFFER_BYTES + 123);
    assert.equal(await post(file), 201);
    assert.equal(seen.size, file.length);
    assert.ok(seen.bytes?.equals(file), 'the stored bytes differ from the upload');
  });

  test('an upload over the size limit fails with LIMIT_FILE_SIZE and leaves no file', async () => {
    assert.equal(await post(patterned(LIMIT_BYTES + 1)), 413);
    assert.equal(seen.error, 'LIMIT_FILE_SIZE');
    assert.deepEqual(await readdir(destination), []);
  });

  test('a client that disconnects mid-upload leaves no file', async () => {
    const { body, contentType } = multipartBody(patterned(4 * BUFFER_BYTES));
    const request = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'content-length': String(body.length) },
    });
    request.on('error', () => undefined);
    // Past the buffer, so the spill file exists when the connection drops.
    request.write(body.subarray(0, 3 * BUFFER_BYTES));
    for (let i = 0; i < 100 && (await readdir(destination)).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal((await readdir(destination)).length, 1, 'the spill file exists before the client goes');
    request.destroy();
    let left = await readdir(destination);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      left = await readdir(destination);
    }
    assert.deepEqual(left, []);
  });
});
