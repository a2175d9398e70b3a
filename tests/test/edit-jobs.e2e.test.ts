import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeWav } from '@voice/audio';
import { encodeWavPcm16, synthesizeSpeech } from '@voice/testkit';
import { ApiClient, startTestPlatform, type TestPlatform } from '../src';

describe('editing jobs', { timeout: 300_000 }, () => {
  let platform: TestPlatform;
  let api: ApiClient;
  let speech: Buffer;
  let speechSeconds: number;

  before(async () => {
    platform = await startTestPlatform();
    api = platform.api();
    await api.register(`edit-${Date.now()}@example.com`);
    const { samples, sampleRate } = await synthesizeSpeech(
      'The quick brown fox jumps over the lazy dog near the river bank.',
      {
        voice: 'slt',
        sampleRate: 16_000,
      },
    );
    speech = encodeWavPcm16(samples, sampleRate);
    speechSeconds = samples.length / sampleRate;
  });
  after(async () => platform?.close());

  const editAndDownload = async (wav: Buffer, operations: unknown[]) => {
    const accepted = await api.upload('/api/audio/edit', wav, 'take.wav', { operations: JSON.stringify(operations) });
    assert.equal(accepted.status, 202, accepted.text);
    const final = await api.waitForJob(accepted.json['jobId'] as string, { timeoutMs: 240_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    const download = await api.request('POST', `/api/audio/download/${accepted.json['jobId'] as string}`);
    const bytes = Buffer.from(await (await fetch(download.json['url'] as string)).arrayBuffer());
    return { bytes, ...decodeWav(bytes) };
  };

  const transcribe = async (wav: Buffer) => {
    const accepted = await api.upload('/api/audio/stt', wav, 'check.wav', { language: 'en' });
    assert.equal(accepted.status, 202, accepted.text);
    await api.waitForJob(accepted.json['jobId'] as string, { timeoutMs: 240_000 });
    const download = await api.request('POST', `/api/audio/download/${accepted.json['jobId'] as string}`);
    const transcript = (await (await fetch(download.json['url'] as string)).json()) as {
      words: Array<{ word: string }>;
    };
    return transcript.words.map((word) => word.word.toLowerCase().replace(/[^a-z]/g, ''));
  };

  test('remove_blooper shortens the audio by the cut length, ±20 ms', async () => {
    const cut = { start_time: 1.0, end_time: 1.75 };
    const edited = await editAndDownload(speech, [{ type: 'remove_blooper', ...cut }]);
    const seconds = edited.samples.length / edited.sampleRate;
    const expected = speechSeconds - (cut.end_time - cut.start_time);
    assert.ok(Math.abs(seconds - expected) <= 0.02, `${seconds.toFixed(3)} s, expected ${expected.toFixed(3)} s`);
  });

  test('mute_word removes the word and keeps its neighbours', async () => {
    const before = await transcribe(speech);
    assert.ok(before.includes('fox'), `the recogniser hears "fox" in the original: ${before.join(' ')}`);
    const edited = await editAndDownload(speech, [{ type: 'mute_word', word: 'fox', mode: 'bleep' }]);
    assert.ok(Math.abs(edited.samples.length / edited.sampleRate - speechSeconds) < 0.02, 'muting keeps the length');
    const after = await transcribe(edited.bytes);
    assert.ok(!after.includes('fox'), `"fox" is gone: ${after.join(' ')}`);
    for (const neighbour of ['brown', 'jumps'])
      assert.ok(after.includes(neighbour), `"${neighbour}" stays: ${after.join(' ')}`);
  });

  test('invalid edits answer 400 before any job starts', async () => {
    const before = await api.credits();
    const cases: Array<[unknown, RegExp]> = [
      ['[{"type":"remove_blooper","start_time":2,"end_time":1}]', /end_time must be after start_time/],
      ['[{"type":"remove_blooper","start_time":1,"end_time":999}]', /ends after the recording/],
      ['[{"type":"explode"}]', /operations/],
      ['not json', /operations/],
      ['[]', /at least one/],
    ];
    for (const [operations, message] of cases) {
      const response = await api.upload('/api/audio/edit', speech, 'take.wav', { operations: String(operations) });
      assert.equal(response.status, 400, response.text);
      assert.match(response.json['error']?.message as string, message);
    }
    assert.deepEqual(await api.credits(), before);
  });
});
