import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { getCreditSummary } from '@voice/db';
import { ApiClient, makeNoisySpeech, startTestPlatform, type TestPlatform } from '../src';

const run = promisify(execFile);

/** Encodes the WAV fixture to another container with the real ffmpeg, so the cases are real files. */
async function encode(wav: Buffer, extension: string, args: string[]): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bad-uploads-'));
  try {
    await writeFile(path.join(dir, 'in.wav'), wav);
    await run(ffmpeg.path, [
      '-v',
      'error',
      '-y',
      '-i',
      path.join(dir, 'in.wav'),
      ...args,
      path.join(dir, `out.${extension}`),
    ]);
    return await readFile(path.join(dir, `out.${extension}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('bad uploads are rejected with a clear 4xx and leave nothing behind', { timeout: 180_000 }, () => {
  let platform: TestPlatform;
  let api: ApiClient;
  let userId: string;
  let grant: number;
  let wav: Buffer;
  let mp3: Buffer;
  let flac: Buffer;

  before(async () => {
    // A 1 MB cap keeps the oversize case cheap while exercising the same multer limit as the 100 MB default.
    // A 3-second grant makes every valid fixture unaffordable, so the 402 case needs no ledger tricks.
    platform = await startTestPlatform({ MAX_UPLOAD_BYTES: String(1024 * 1024), FREE_CREDIT_SECONDS: '3' });
    api = platform.api();
    const user = await api.register(`bad-${Date.now()}@example.com`);
    userId = user.id;
    grant = user.creditsRemaining;
    wav = (await makeNoisySpeech({ snrDb: 10 })).wav;
    [mp3, flac] = await Promise.all([
      encode(wav, 'mp3', ['-codec:a', 'libmp3lame', '-b:a', '64k']),
      encode(wav, 'flac', []),
    ]);
  });
  after(async () => platform?.close());

  const cases: Array<{
    name: string;
    body: () => Buffer;
    filename: string;
    fields?: Record<string, string>;
    status: number;
    code: string;
    message: RegExp;
  }> = [
    {
      name: 'an empty file',
      body: () => Buffer.alloc(0),
      filename: 'empty.wav',
      status: 400,
      code: 'INVALID_AUDIO',
      message: /empty/i,
    },
    {
      name: 'a text file named .wav',
      body: () => Buffer.from('hello, this is not audio\n'.repeat(50)),
      filename: 'notes.wav',
      status: 415,
      code: 'INVALID_AUDIO',
      message: /audio/i,
    },
    {
      name: 'a PNG image',
      body: () => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2000, 7)]),
      filename: 'cover.mp3',
      status: 415,
      code: 'INVALID_AUDIO',
      message: /audio/i,
    },
    {
      name: 'a truncated WAV',
      body: () => wav.subarray(0, Math.floor(wav.length / 2)),
      filename: 'cut.wav',
      status: 422,
      code: 'INVALID_AUDIO',
      message: /truncat/i,
    },
    {
      name: 'a truncated MP3',
      body: () => mp3.subarray(0, Math.floor(mp3.length / 2)),
      filename: 'cut.mp3',
      status: 422,
      code: 'INVALID_AUDIO',
      message: /truncat|corrupt|incomplete/i,
    },
    {
      name: 'a truncated FLAC',
      body: () => flac.subarray(0, Math.floor(flac.length / 2)),
      filename: 'cut.flac',
      status: 422,
      code: 'INVALID_AUDIO',
      message: /truncat|corrupt|incomplete/i,
    },
    {
      name: 'a file over the size cap',
      body: () => Buffer.concat([wav, Buffer.alloc(1024 * 1024)]),
      filename: 'huge.wav',
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: /too large: uploads are limited to 1 MB \(MAX_UPLOAD_BYTES\)/,
    },
    // Far past the cap: the client is still sending when the server answers, and must get the 413, not a reset.
    {
      name: 'a file 120× the size cap',
      body: () => Buffer.concat([wav, Buffer.alloc(120 * 1024 * 1024)]),
      filename: 'huge.wav',
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: /too large: uploads are limited to 1 MB \(MAX_UPLOAD_BYTES\)/,
    },
    {
      name: 'an unknown model',
      body: () => wav,
      filename: 'ok.wav',
      fields: { model: 'no-such-model' },
      status: 400,
      code: 'UNKNOWN_MODEL',
      message: /gtcrn/,
    },
    {
      name: 'a valid file longer than the balance',
      body: () => wav,
      filename: 'ok.wav',
      status: 402,
      code: 'INSUFFICIENT_CREDITS',
      message: /credit/i,
    },
    {
      name: 'an invalid noise level',
      body: () => wav,
      filename: 'ok.wav',
      fields: { noise_level: 'extreme' },
      status: 400,
      code: 'VALIDATION_FAILED',
      message: /noise_level/,
    },
  ];

  for (const testCase of cases) {
    test(`${testCase.name}: ${testCase.status} ${testCase.code}`, async () => {
      const response = await api.upload('/api/audio/denoise', testCase.body(), testCase.filename, testCase.fields);
      assert.equal(response.status, testCase.status, response.text);
      assert.equal(response.json['error']?.code, testCase.code, response.text);
      assert.match(response.json['error']?.message as string, testCase.message);
    });
  }

  test('a request without the audio_file part: 400', async () => {
    const form = new FormData();
    form.append('noise_level', 'light');
    const response = await api.request('POST', '/api/audio/denoise', form);
    assert.equal(response.status, 400, response.text);
    assert.match(response.json['error']?.message as string, /audio_file/);
  });

  test('bad steps on a multi-step job: 400 naming the problem', async () => {
    for (const steps of [
      'not json',
      '[]',
      JSON.stringify([{ op: 'explode' }]),
      JSON.stringify([{ op: 'normalize', target_lufs: 3 }]),
    ]) {
      const form = new FormData();
      form.append('audio_file', new Blob([wav]), 'ok.wav');
      form.append('steps', steps);
      const response = await api.request('POST', '/api/jobs', form);
      assert.equal(response.status, 400, `${steps}: ${response.text}`);
      assert.match(response.json['error']?.message as string, /steps/);
    }
  });

  test('chained steps toward an unknown voice or language: clear 4xx', async () => {
    const cases: Array<{ steps: unknown[]; status: number; code: string; message: RegExp }> = [
      {
        steps: [{ op: 'denoise' }, { op: 'accent_change', target_accent: 'martian' }],
        status: 400,
        code: 'UNSUPPORTED_ACCENT',
        message: /scottish/,
      },
      {
        steps: [{ op: 'voice_clone', target_voice_id: '00000000-0000-4000-8000-000000000000' }],
        status: 404,
        code: 'VOICE_NOT_FOUND',
        message: /not found/,
      },
      { steps: [{ op: 'stt', language: 'xx' }], status: 400, code: 'UNSUPPORTED_LANGUAGE', message: /"xx"/ },
    ];
    for (const testCase of cases) {
      const form = new FormData();
      form.append('audio_file', new Blob([wav]), 'ok.wav');
      form.append('steps', JSON.stringify(testCase.steps));
      const response = await api.request('POST', '/api/jobs', form);
      assert.equal(response.status, testCase.status, response.text);
      assert.equal(response.json['error']?.code, testCase.code, response.text);
      assert.match(response.json['error']?.message as string, testCase.message);
    }
  });

  test('after all of them: no job, no workflow, no hold, no leftover upload', async () => {
    const history = await api.request('GET', '/api/jobs/history');
    assert.equal(history.json['total'], 0);
    const credits = await api.credits();
    assert.equal(credits.creditsRemaining, grant);
    assert.equal(credits.creditsHeld, 0);
    const summary = await getCreditSummary(platform.database.db, userId);
    assert.equal(summary.ledgerSum, summary.balance);
    const workflows = [];
    for await (const execution of platform.client.workflow.list({ query: `UserId = "${userId}"` }))
      workflows.push(execution);
    assert.equal(workflows.length, 0);
    // Give the cleanup interceptor's unlink a moment; it runs after the response is sent.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const leftovers = await readdir(path.join(platform.dataDir, 'uploads')).catch(() => []);
    assert.deepEqual(leftovers, []);
  });
});
