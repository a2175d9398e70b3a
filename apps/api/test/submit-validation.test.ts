import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { getCreditSummary, listJobsForUser } from '@voice/db';
import { LocalStorage } from '@voice/storage';
import { FakePipelineClient } from './helpers/fake-pipeline-client';
import { toneWav } from './helpers/tone';
import { registerUser, startTestApi, type ErrorResponse, type TestApi } from './helpers/test-api';

const SIGNING_SECRET = 'a-signing-secret-for-submit-validation-tests';

/** `seconds` of a 440 Hz tone in every one of `channels` channels, as a 16-bit PCM WAV (built by hand: encodeWav is mono). */
function multichannelWav(channels: number, seconds = 1, rate = 16_000): Buffer {
  const frames = rate * seconds;
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    const value = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
    for (let c = 0; c < channels; c++) data.writeInt16LE(value, (i * channels + c) * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * Requests that used to pass submit and fail later in the job (or answer 500) are refused up front with a 400
 * that says what is wrong, before a job row, a stored file, a credit hold or a workflow exists.
 */
describe('submit-time validation: refused with a 400, nothing created', () => {
  let api: TestApi;
  let storageDir: string;
  let storage: LocalStorage;
  const pipeline = new FakePipelineClient();
  let token: string;
  let userId: string;
  /** What the user had before each test; accepted submits in earlier tests add rows. */
  let baseline: { jobs: number; held: number; balance: number };

  before(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), 'voice-submit-validation-'));
    storage = new LocalStorage({
      root: path.join(storageDir, 'root'),
      publicBaseUrl: 'http://127.0.0.1',
      signingSecret: SIGNING_SECRET,
      defaultTtlSeconds: 60,
    });
    api = await startTestApi({ deps: { storage, pipelineClient: pipeline, signingSecret: SIGNING_SECRET } });
    const user = await registerUser(api);
    token = user.accessToken;
    userId = user.response.body.user.id;
  });

  after(async () => {
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    pipeline.started = [];
    const credits = await getCreditSummary(api.database.db, userId);
    const jobs = await listJobsForUser(api.database.db, userId, { limit: 1 });
    baseline = { jobs: jobs.total, held: credits.held, balance: credits.balance };
  });

  const upload = async (urlPath: string, fields: Record<string, string>, wav: Buffer = toneWav()) => {
    const form = new FormData();
    form.append('audio_file', new Blob([wav], { type: 'audio/wav' }), 'input.wav');
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const response = await fetch(`${api.baseUrl}${urlPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as ErrorResponse & Record<string, unknown> };
  };
  const tts = async (body: Record<string, unknown>) => {
    const response = await fetch(`${api.baseUrl}/api/audio/tts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as ErrorResponse & Record<string, unknown> };
  };

  /** The refusal left nothing behind: no workflow, no job row, no hold, no credits taken, no stored input. */
  async function assertNothingCreated(): Promise<void> {
    assert.equal(pipeline.started.length, 0, 'no pipeline started');
    const jobs = await listJobsForUser(api.database.db, userId, { limit: 1 });
    assert.equal(jobs.total, baseline.jobs, 'no job row');
    const credits = await getCreditSummary(api.database.db, userId);
    assert.equal(credits.held, baseline.held, 'no credit hold');
    assert.equal(credits.balance, baseline.balance, 'balance unchanged');
  }

  test('a 96-channel WAV is a 400 naming the channel limit (ffmpeg cannot downmix more than 8 channels)', async () => {
    const refused = await upload('/api/audio/denoise', {}, multichannelWav(96));
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'INVALID_AUDIO');
    assert.match(refused.body.error.message, /96 channels.*at most 8/);
    assert.equal((refused.body.error.details as { reason: string }).reason, 'too_many_channels');
    await assertNothingCreated();
  });

  test('TTS with a voice_id its model does not have is a 400 listing the voices it has', async () => {
    const refused = await tts({ text: 'Hello there, how are you today?', voice_id: 'no-such-voice' });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'UNKNOWN_VOICE');
    assert.match(refused.body.error.message, /no-such-voice/);
    const available = (refused.body.error.details as { available: string[] }).available;
    assert.ok(available.length > 0);
    await assertNothingCreated();

    // A voice from that list is accepted, and the job runs on the model the voice was checked against.
    const accepted = await tts({ text: 'Hello there, how are you today?', voice_id: available[0] });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    const [started] = pipeline.started;
    assert.equal(started?.steps[0]?.op, 'tts');
    const step = started?.steps[0]?.op === 'tts' ? started.steps[0] : undefined;
    assert.equal(step?.voice_id, available[0]);
    assert.match(String((refused.body.error.details as { model: string }).model), /./);
    assert.equal(step?.model, (refused.body.error.details as { model: string }).model);
  });

  test('a cut covering the whole recording is a 400: nothing would be left', async () => {
    const whole = await upload('/api/audio/edit', {
      operations: JSON.stringify([{ type: 'remove_blooper', start_time: 0, end_time: 1 }]),
    });
    assert.equal(whole.status, 400, JSON.stringify(whole.body));
    assert.equal(whole.body.error.code, 'CUT_REMOVES_EVERYTHING');
    assert.match(whole.body.error.message, /nothing would be left/);
    // Two cuts that together take everything: each one's times refer to what the previous one left.
    const inTurn = await upload('/api/jobs', {
      steps: JSON.stringify([
        {
          op: 'edit',
          operations: [
            { type: 'remove_blooper', start_time: 0.5, end_time: 1 },
            { type: 'remove_blooper', start_time: 0, end_time: 0.5 },
          ],
        },
      ]),
    });
    assert.equal(inTurn.status, 400, JSON.stringify(inTurn.body));
    assert.equal(inTurn.body.error.code, 'CUT_REMOVES_EVERYTHING');
    await assertNothingCreated();
  });

  test('an emoji-only mute_word is a 400: only letters and digits can be found in speech', async () => {
    for (const word of ['🤬', '❤️', '👍🏽', '!!']) {
      const refused = await upload('/api/audio/edit', { operations: JSON.stringify([{ type: 'mute_word', word }]) });
      assert.equal(refused.status, 400, `${word}: ${JSON.stringify(refused.body)}`);
      assert.match(refused.body.error.message, /operations\.0\.word: must contain a letter or digit/);
    }
    await assertNothingCreated();
  });

  test('TTS text of only emoji or control characters is a 400; mixed text reaches the engine normalised', async () => {
    for (const text of ['😀🎉', '👨‍👩‍👧 🇫🇷', '\u0007\u0001\u009b', ' \u200d\ufe0f ']) {
      const refused = await tts({ text });
      assert.equal(refused.status, 400, `${JSON.stringify(text)}: ${JSON.stringify(refused.body)}`);
      assert.match(refused.body.error.message, /text: has nothing to speak/);
    }
    await assertNothingCreated();

    const accepted = await tts({ text: 'Hello 👋 there,\u0007 how are ❤️ you\ttoday?' });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.deepEqual(pipeline.started[0]?.source, { kind: 'text', text: 'Hello there, how are you today?' });
  });

  test('"hi" at speed 2 and pitch 12 is a 400 saying which pitch is allowed', async () => {
    const refused = await tts({ text: 'hi', parameters: { speed: 2, pitch: 12 } });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(refused.body.error.message, /parameters\.pitch: must be between -6 and 6 semitones/);
    // Within the range, a large shift still needs a few words for the delivered speech to be checked.
    const short = await tts({ text: 'hi', parameters: { speed: 2, pitch: 6 } });
    assert.equal(short.status, 400, JSON.stringify(short.body));
    assert.match(
      short.body.error.message,
      /parameters\.pitch: a shift of more than 2 semitones needs at least 3 words/,
    );
    await assertNothingCreated();

    for (const parameters of [{ speed: 2 }, { speed: 2, pitch: 2 }]) {
      const accepted = await tts({ text: 'hi', parameters });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    }
    const longer = await tts({ text: 'Good morning, everyone.', parameters: { speed: 2, pitch: 6 } });
    assert.equal(longer.status, 202, JSON.stringify(longer.body));
  });

  test('malformed JSON in steps or operations reports one parse error, not a second type error', async () => {
    for (const [urlPath, field] of [
      ['/api/jobs', 'steps'],
      ['/api/audio/edit', 'operations'],
    ] as const) {
      const refused = await upload(urlPath, { [field]: '[{"op": "denoise"' });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'VALIDATION_FAILED');
      const issues = refused.body.error.details as Array<{ field: string; message: string }>;
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.equal(issues[0]?.field, field);
      assert.match(issues[0]?.message ?? '', /^must be JSON such as/);
      assert.doesNotMatch(refused.body.error.message, /expected array/);
    }
    await assertNothingCreated();
  });

  test('a traversal key with a valid signature is a 400, and the file outside the root is not served', async () => {
    await writeFile(path.join(storageDir, 'outside-root.txt'), 'secret');
    for (const key of [`../outside-root.txt`, 'jobs/../../outside-root.txt', '/etc/passwd']) {
      const expires = Math.floor(Date.now() / 1000) + 60;
      const sig = createHmac('sha256', SIGNING_SECRET).update(`${key}\n${expires}\n`).digest('base64url');
      const response = await fetch(
        `${api.baseUrl}/api/files/${encodeURIComponent(key)}?expires=${expires}&sig=${encodeURIComponent(sig)}`,
      );
      const body = (await response.json()) as ErrorResponse;
      assert.equal(response.status, 400, `${key}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, 'INVALID_FILE_KEY');
    }
    // A real object under a signed link is still served.
    await storage.putBuffer('jobs/x/out.json', Buffer.from('{"ok":true}'));
    const link = await storage.signedDownloadUrl('jobs/x/out.json');
    const served = await fetch(`${api.baseUrl}${new URL(link.url).pathname}${new URL(link.url).search}`);
    assert.equal(served.status, 200);
    assert.deepEqual(await served.json(), { ok: true });
  });
});
