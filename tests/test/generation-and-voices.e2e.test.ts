import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { analyzeAudio, decodeWav, resample } from '@voice/audio';
import { getJobById } from '@voice/db';
import { analyzeVoice } from '@voice/voice-dsp';
import { encodeWavPcm16, synthesizeSpeech } from '@voice/testkit';
import { ApiClient, startTestPlatform, type TestPlatform } from '../src';

async function downloadWav(api: ApiClient, jobId: string) {
  const download = await api.request('POST', `/api/audio/download/${jobId}`);
  assert.equal(download.status, 200, download.text);
  const file = await fetch(download.json['url'] as string);
  assert.equal(file.status, 200);
  const bytes = Buffer.from(await file.arrayBuffer());
  return { bytes, creditsCharged: download.json['creditsCharged'] as number, ...decodeWav(bytes) };
}

describe('music, sound effects and mood music through the pipeline', { timeout: 240_000 }, () => {
  let platform: TestPlatform;
  let api: ApiClient;

  before(async () => {
    platform = await startTestPlatform();
    api = platform.api();
    await api.register(`music-${Date.now()}@example.com`);
  });
  after(async () => platform?.close());

  const submitAndWait = async (path: string, body: unknown) => {
    const accepted = await api.request('POST', path, body);
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;
    const final = await api.waitForJob(jobId);
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    return jobId;
  };

  test('music has the requested length and loudness, and a fixed seed reproduces it exactly', async () => {
    const request = { genre: 'lofi', duration: 8, parameters: { tempo: 90, key: 'A minor' }, seed: 42 };
    const first = await downloadWav(api, await submitAndWait('/api/audio/generate-music', request));
    const seconds = first.samples.length / first.sampleRate;
    assert.ok(Math.abs(seconds - 8) / 8 <= 0.02, `lasted ${seconds} s`);
    const measured = analyzeAudio(first.samples, first.sampleRate);
    assert.ok(Math.abs(measured.integratedLufs - -14) <= 1, `loudness ${measured.integratedLufs}`);
    assert.ok(measured.truePeakDbtp <= -0.9, `true peak ${measured.truePeakDbtp}`);
    assert.equal(first.creditsCharged, 8);

    const again = await downloadWav(api, await submitAndWait('/api/audio/generate-music', request));
    const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    assert.equal(digest(again.bytes), digest(first.bytes), 'same seed, same audio');
    const other = await downloadWav(api, await submitAndWait('/api/audio/generate-music', { ...request, seed: 43 }));
    assert.notEqual(digest(other.bytes), digest(first.bytes), 'another seed, other audio');
  });

  test('a sound effect and platform mood music meet their length and loudness targets', async () => {
    const sfx = await downloadWav(
      api,
      await submitAndWait('/api/audio/generate-sfx', { description: 'a fast whoosh', duration: 2, seed: 7 }),
    );
    assert.ok(Math.abs(sfx.samples.length / sfx.sampleRate - 2) / 2 <= 0.02);
    assert.ok(Math.abs(analyzeAudio(sfx.samples, sfx.sampleRate).integratedLufs - -16) <= 1);

    const mood = await downloadWav(
      api,
      await submitAndWait('/api/audio/mood-music', { mood: 'calm', platform: 'podcast', duration: 6, seed: 3 }),
    );
    assert.ok(Math.abs(mood.samples.length / mood.sampleRate - 6) / 6 <= 0.02);
    assert.ok(
      Math.abs(analyzeAudio(mood.samples, mood.sampleRate).integratedLufs - -16) <= 1,
      'podcast preset is −16 LUFS',
    );
  });

  test('bad generation requests answer 400 with what is accepted, and cost nothing', async () => {
    const before = await api.credits();
    const cases: Array<[string, unknown, RegExp]> = [
      ['/api/audio/generate-music', { genre: 'polka-metal', duration: 5 }, /Available: .*lofi/],
      ['/api/audio/generate-music', { genre: 'rock', duration: 5, parameters: { key: 'H major' } }, /key/i],
      ['/api/audio/generate-music', { genre: 'rock', duration: 0 }, /duration/],
      ['/api/audio/generate-sfx', { description: 'a purple sound', duration: 2 }, /whoosh/],
      ['/api/audio/generate-sfx', { description: 'whoosh', duration: 600 }, /duration/],
      ['/api/audio/mood-music', { mood: 'calm', platform: 'tiktok', duration: 90 }, /60 seconds/],
      ['/api/audio/mood-music', { mood: 'calm', platform: 'myspace', duration: 10 }, /Available: instagram/],
    ];
    for (const [path, body, message] of cases) {
      const response = await api.request('POST', path, body);
      assert.equal(response.status, 400, `${path} ${JSON.stringify(body)}: ${response.text}`);
      assert.match(response.json['error']?.message as string, message);
    }
    assert.deepEqual(await api.credits(), before, 'no hold, no charge');
    const history = await api.request('GET', '/api/jobs/history?limit=100');
    assert.equal(history.json['total'], 5, 'only the five valid jobs above exist');
  });
});

describe('idempotent submission', { timeout: 120_000 }, () => {
  let platform: TestPlatform;

  before(async () => {
    platform = await startTestPlatform();
  });
  after(async () => platform?.close());

  test('retries with the same Idempotency-Key get the first job, even when concurrent', async () => {
    const api = platform.api();
    await api.register(`idem-${Date.now()}@example.com`);
    const body = { description: 'a short beep', duration: 1, seed: 2 };
    const submit = (key: string) => api.request('POST', '/api/audio/generate-sfx', body, { 'idempotency-key': key });

    const first = await submit('retry-1');
    const again = await submit('retry-1');
    assert.equal(first.status, 202, first.text);
    assert.equal(again.status, 202, again.text);
    assert.equal(again.json['jobId'], first.json['jobId']);

    const concurrent = await Promise.all(Array.from({ length: 5 }, () => submit('retry-2')));
    const ids = new Set(concurrent.map((response) => response.json['jobId'] as string));
    assert.equal(ids.size, 1, 'five concurrent retries, one job');
    for (const response of concurrent) assert.equal(response.status, 202, response.text);

    const history = await api.request('GET', '/api/jobs/history?limit=100');
    assert.equal(history.json['total'], 2);
    const other = platform.api();
    await other.register(`idem-other-${Date.now()}@example.com`);
    const theirs = await other.request('POST', '/api/audio/generate-sfx', body, { 'idempotency-key': 'retry-1' });
    assert.notEqual(theirs.json['jobId'], first.json['jobId'], 'keys are per user');
    const tooLong = await submit('k'.repeat(256));
    assert.equal(tooLong.status, 400, tooLong.text);
    for (const id of [first.json['jobId'], ...ids, theirs.json['jobId']] as string[]) {
      const final = await (id === theirs.json['jobId'] ? other : api).waitForJob(id);
      assert.equal(final['status'], 'completed');
    }
  });
});

describe('voice library', { timeout: 180_000 }, () => {
  let platform: TestPlatform;
  let owner: ApiClient;
  let other: ApiClient;
  let femaleSample: Buffer;
  let maleSample: Buffer;

  before(async () => {
    platform = await startTestPlatform();
    owner = platform.api();
    other = platform.api();
    await owner.register(`voices-owner-${Date.now()}@example.com`);
    await other.register(`voices-other-${Date.now()}@example.com`);
    const text = 'This is a sample of my voice, recorded for the voice library. It has a few sentences in it.';
    const [female, male] = await Promise.all([
      synthesizeSpeech(text, { voice: 'slt', sampleRate: 16_000 }),
      synthesizeSpeech(text, { voice: 'awb', sampleRate: 16_000 }),
    ]);
    femaleSample = encodeWavPcm16(female.samples, female.sampleRate);
    maleSample = encodeWavPcm16(male.samples, male.sampleRate);
  });
  after(async () => platform?.close());

  test('an upload is analysed, private by default, and measures a higher pitch for a higher voice', async () => {
    const female = await owner.upload('/api/voices/upload', femaleSample, 'slt.wav', {
      name: 'Narrator F',
      description: 'calm',
    });
    assert.equal(female.status, 201, female.text);
    const male = await owner.upload('/api/voices/upload', maleSample, 'awb.wav', {
      name: 'Narrator M',
      is_public: 'true',
    });
    assert.equal(male.status, 201, male.text);
    const pitch = (voice: Record<string, unknown>) =>
      (voice['voiceCharacteristics'] as { pitch: { medianHz: number } }).pitch.medianHz;
    assert.ok(pitch(female.json) > pitch(male.json) * 1.15, `${pitch(female.json)} vs ${pitch(male.json)} Hz`);
    assert.equal(female.json['isPublic'], false);
    const characteristics = female.json['voiceCharacteristics'] as Record<string, unknown>;
    for (const key of ['pitch', 'speakingRate', 'loudnessLufs', 'spectral', 'embedding'])
      assert.ok(key in characteristics, key);

    const library = await owner.request('GET', '/api/voices/library');
    assert.deepEqual((library.json['items'] as Array<{ name: string }>).map((voice) => voice.name).sort(), [
      'Narrator F',
      'Narrator M',
    ]);
    const publicForOther = await other.request('GET', '/api/voices/public');
    const publicNames = (publicForOther.json['items'] as Array<{ name: string; owned: boolean }>).map(
      (voice) => voice.name,
    );
    assert.deepEqual(publicNames, ['Narrator M'], 'only the public voice is listed');
    assert.equal((await other.request('GET', '/api/voices/library')).json['items'].length, 0);

    const id = female.json['id'] as string;
    assert.equal((await other.request('DELETE', `/api/voices/${id}`)).status, 404, 'only the owner may delete');
    assert.equal((await owner.request('DELETE', `/api/voices/${id}`)).status, 204);
    assert.equal((await owner.request('DELETE', `/api/voices/${id}`)).status, 404);
    assert.equal((await owner.request('GET', '/api/voices/library')).json['items'].length, 1);
  });

  test('voice clone moves speech toward a library voice and names its method', async () => {
    const target = await owner.upload('/api/voices/upload', femaleSample, 'slt.wav', { name: 'Target F' });
    assert.equal(target.status, 201, target.text);
    const targetId = target.json['id'] as string;
    const targetPitch = (target.json['voiceCharacteristics'] as { pitch: { medianHz: number } }).pitch.medianHz;

    const accepted = await owner.upload('/api/audio/voice-clone', maleSample, 'awb.wav', { target_voice_id: targetId });
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;
    const final = await owner.waitForJob(jobId, { timeoutMs: 120_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    const download = await owner.request('POST', `/api/audio/download/${jobId}`);
    const wav = Buffer.from(await (await fetch(download.json['url'] as string)).arrayBuffer());
    const { samples, sampleRate } = decodeWav(wav);
    const converted = analyzeVoice(resample(samples, sampleRate, 16_000), 16_000);
    const semitonesOff = Math.abs(12 * Math.log2(converted.pitch.medianHz / targetPitch));
    assert.ok(
      semitonesOff <= 1.5,
      `converted median ${converted.pitch.medianHz.toFixed(0)} Hz vs target ${targetPitch.toFixed(0)} Hz`,
    );

    const job = await getJobById(platform.database.db, jobId);
    const conversion = (job?.result?.['voiceConversion'] as Array<{ method: string }> | undefined)?.[0];
    assert.match(conversion?.method ?? '', /^dsp:/, 'the job output labels the method');

    const missing = await owner.upload('/api/audio/voice-clone', maleSample, 'awb.wav', {
      target_voice_id: '00000000-0000-4000-8000-000000000000',
    });
    assert.equal(missing.status, 404, missing.text);
    const notShared = await other.upload('/api/audio/voice-clone', maleSample, 'awb.wav', {
      target_voice_id: targetId,
    });
    assert.equal(notShared.status, 404, "another user's private voice is not usable");
    assert.equal((await owner.request('DELETE', `/api/voices/${targetId}`)).status, 204);
  });

  test('text to speech in a library voice: one job speaks the text, then converts it, and still says the words', async () => {
    const target = await owner.upload('/api/voices/upload', femaleSample, 'slt.wav', { name: 'Speaker F' });
    assert.equal(target.status, 201, target.text);
    const targetId = target.json['id'] as string;
    const targetPitch = (target.json['voiceCharacteristics'] as { pitch: { medianHz: number } }).pitch.medianHz;
    const text = 'Welcome back to the show. Today we talk about gardens and rain.';
    const before = await owner.credits();

    // A follow-up step toward a voice the user cannot use is refused before anything runs or is held.
    const refused = await owner.request('POST', '/api/audio/tts', {
      text,
      then: [{ op: 'voice_clone', target_voice_id: '00000000-0000-4000-8000-000000000000' }],
    });
    assert.equal(refused.status, 404, refused.text);
    assert.deepEqual(await owner.credits(), before);

    const accepted = await owner.request('POST', '/api/audio/tts', {
      text,
      then: [{ op: 'voice_clone', target_voice_id: targetId }],
    });
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;
    const final = await owner.waitForJob(jobId, { timeoutMs: 180_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    const job = await getJobById(platform.database.db, jobId);
    assert.equal(job?.jobType, 'tts+voice_clone');
    const result = job?.result as {
      voiceConversion?: Array<{ method: string }>;
      output?: { intelligibility?: { wordErrorRate: number } };
    };
    assert.match(result.voiceConversion?.[0]?.method ?? '', /^dsp:/);
    // The quality gate transcribed the converted speech and compared it with the text.
    assert.ok((result.output?.intelligibility?.wordErrorRate ?? 1) <= 0.1, JSON.stringify(result.output));

    const download = await owner.request('POST', `/api/audio/download/${jobId}`);
    const { samples, sampleRate } = decodeWav(
      Buffer.from(await (await fetch(download.json['url'] as string)).arrayBuffer()),
    );
    const converted = analyzeVoice(resample(samples, sampleRate, 16_000), 16_000);
    const semitonesOff = Math.abs(12 * Math.log2(converted.pitch.medianHz / targetPitch));
    assert.ok(
      semitonesOff <= 1.5,
      `converted median ${converted.pitch.medianHz.toFixed(0)} Hz vs target ${targetPitch.toFixed(0)} Hz`,
    );
    assert.equal((await owner.request('DELETE', `/api/voices/${targetId}`)).status, 204);
  });

  test('unusable samples answer 4xx with a clear message', async () => {
    const tooShort = encodeWavPcm16(new Float32Array(8_000), 16_000);
    const short = await owner.upload('/api/voices/upload', tooShort, 'short.wav', { name: 'x' });
    assert.equal(short.status, 422, short.text);
    assert.match(short.json['error'].message as string, /between 1 s/);
    const silence = encodeWavPcm16(new Float32Array(16_000 * 3), 16_000);
    const silent = await owner.upload('/api/voices/upload', silence, 'silence.wav', { name: 'x' });
    assert.equal(silent.status, 422, silent.text);
    const notAudio = await owner.upload('/api/voices/upload', Buffer.from('not a voice'.repeat(100)), 'voice.wav', {
      name: 'x',
    });
    assert.equal(notAudio.status, 415, notAudio.text);
    const noName = await owner.upload('/api/voices/upload', femaleSample, 'slt.wav', {});
    assert.equal(noName.status, 400, noName.text);
    assert.equal((await owner.request('GET', '/api/voices/library')).json['items'].length, 1, 'nothing was added');
  });
});
