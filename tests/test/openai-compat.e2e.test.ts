import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { decodeToMonoFloat } from '@voice/audio';
import { wordErrorRate } from '@voice/gpu-activities';
import { encodeWavPcm16, synthesizeSpeech } from '@voice/testkit';
import { startTestPlatform, type ApiClient, type TestPlatform } from '../src';

const execFileAsync = promisify(execFile);

const SENTENCE = 'Open the window before the meeting starts.';
const SPEECH_TEXT = 'The weather is nice today. We will walk to the park after lunch.';

/** Whatever the SDK's call returned, as the job it ran: the server names it in X-Job-Id. */
function jobIdOf(response: Response): string {
  const id = response.headers.get('x-job-id');
  assert.ok(id, 'the response names its job');
  return id;
}

describe('the OpenAI-compatible API at /v1, through the official openai SDK', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let api: ApiClient;
  let openai: OpenAI;
  let scratch: string;
  let speechWav: Buffer;
  let clipSeconds: number;

  before(async () => {
    platform = await startTestPlatform();
    api = platform.api();
    await api.register(`openai-${Date.now()}@example.com`);
    const key = await api.request('POST', '/api/developer/api-keys', {
      name: 'sdk',
      scopes: ['jobs:write', 'jobs:read'],
    });
    assert.equal(key.status, 201, key.text);
    // No retries: an error must reach the test as the SDK raised it, not be retried away.
    openai = new OpenAI({
      apiKey: key.json['secret'] as string,
      baseURL: `${platform.apiUrl}/v1`,
      maxRetries: 0,
      timeout: 300_000,
    });
    scratch = await mkdtemp(path.join(tmpdir(), 'openai-compat-'));
    const speech = await synthesizeSpeech(SENTENCE, { voice: 'kal16', sampleRate: 16_000 });
    speechWav = encodeWavPcm16(speech.samples, 16_000);
    clipSeconds = speech.samples.length / 16_000;
  });
  after(async () => {
    await platform?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const file = () => toFile(speechWav, 'speech.wav', { type: 'audio/wav' });

  /** A streamed speech job is charged when the job completes, just after its stream: wait for that. */
  const chargedStatus = async (jobId: string) => {
    let status = (await api.status(jobId)).json;
    for (let attempt = 0; attempt < 300 && status['creditsCharged'] === null; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await api.status(jobId)).json;
    }
    return status;
  };

  /** Decodes any audio the server returned and transcribes it back through /v1 itself. */
  const heard = async (audio: Buffer, name: string): Promise<string> => {
    const local = path.join(scratch, name);
    await writeFile(local, audio);
    const samples = await decodeToMonoFloat(local, 16_000);
    assert.ok(samples.length > 16_000, `${name}: ${samples.length} samples`);
    const wav = encodeWavPcm16(samples, 16_000);
    const { text } = await openai.audio.transcriptions.create({
      file: await toFile(wav, 'back.wav'),
      model: 'whisper-1',
    });
    return text;
  };

  test('GET /v1/models lists whisper-1, tts-1, tts-1-hd and every installed STT and TTS model', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) {
      assert.equal(model.object, 'model');
      assert.equal(typeof model.created, 'number');
      ids.push(model.id);
    }
    const installed = (await api.request('GET', '/api/models')).json['tasks'] as Record<string, Array<{ id: string }>>;
    const expected = [
      'whisper-1',
      'tts-1',
      'tts-1-hd',
      ...(installed['stt'] ?? []).map((m) => m.id),
      ...(installed['tts'] ?? []).map((m) => m.id),
    ];
    assert.deepEqual(ids, expected);
    assert.equal((await openai.models.retrieve('whisper-1')).id, 'whisper-1');
    await assert.rejects(openai.models.retrieve('gpt-9'), OpenAI.NotFoundError);
  });

  test('a json transcription is an ordinary job: in the history, charged once, on delivery', async () => {
    const before = await api.credits();
    const { data, response } = await openai.audio.transcriptions
      .create({ file: await file(), model: 'whisper-1' })
      .withResponse();
    const words = data.text.toLowerCase();
    for (const word of ['open', 'window', 'starts']) assert.ok(words.includes(word), data.text);
    const jobId = jobIdOf(response);
    const status = (await api.status(jobId)).json;
    assert.equal(status['status'], 'completed');
    assert.ok((status['creditsCharged'] as number) > 0, JSON.stringify(status));
    assert.equal(status['creditsHeld'], 0);
    const history = (await api.request('GET', '/api/jobs/history?limit=10')).json['items'] as Array<{ jobId: string }>;
    assert.ok(
      history.some((job) => job.jobId === jobId),
      'the job is in the history',
    );
    const after = await api.credits();
    assert.equal(before.creditsRemaining - after.creditsRemaining, status['creditsCharged']);
    // The download path sees the same charge: the output was paid for once.
    const download = await api.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(download.json['alreadyCharged'], true);
  });

  test('text, srt and vtt come back as plain text in their own formats', async () => {
    const text = await openai.audio.transcriptions.create({
      file: await file(),
      model: 'whisper-1',
      response_format: 'text',
    });
    assert.equal(typeof text, 'string');
    assert.match(text, /window/i);
    const srt = await openai.audio.transcriptions.create({
      file: await file(),
      model: 'whisper-1',
      response_format: 'srt',
    });
    assert.match(srt, /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\r?\n.*window/is);
    const vtt = await openai.audio.transcriptions.create({
      file: await file(),
      model: 'whisper-1',
      response_format: 'vtt',
    });
    assert.match(vtt, /^WEBVTT\r?\n\r?\n[\s\S]*\d\d:\d\d\.\d{3} --> [\s\S]*window/i);
  });

  test('verbose_json carries language, duration, segments and, when asked, words with their times', async () => {
    const verbose = await openai.audio.transcriptions.create({
      file: await file(),
      model: 'whisper-1',
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    assert.equal(verbose.language, 'english');
    assert.ok(Math.abs(verbose.duration - clipSeconds) < 0.5, `${verbose.duration} vs ${clipSeconds}`);
    assert.match(verbose.text, /window/i);
    assert.ok(verbose.segments && verbose.segments.length > 0);
    for (const [index, segment] of verbose.segments.entries()) {
      assert.equal(segment.id, index);
      assert.ok(segment.start <= segment.end && segment.end <= clipSeconds + 0.1, JSON.stringify(segment));
      assert.ok(segment.avg_logprob <= 0 && segment.compression_ratio > 0, JSON.stringify(segment));
      for (const field of ['seek', 'tokens', 'temperature', 'no_speech_prob'] as const) assert.ok(field in segment);
    }
    const words = verbose.words ?? [];
    assert.ok(words.length >= 5, JSON.stringify(words));
    for (const [index, word] of words.entries()) {
      assert.ok(word.start <= word.end && word.end <= clipSeconds + 0.1, JSON.stringify(word));
      assert.equal(word.word, word.word.trim());
      if (index > 0) assert.ok(word.start >= (words[index - 1]?.start ?? 0), 'words are in order');
    }
    assert.ok(words.some((word) => /window/i.test(word.word)));

    const segmentsOnly = await openai.audio.transcriptions.create({
      file: await file(),
      model: 'whisper-1',
      response_format: 'verbose_json',
    });
    assert.equal(segmentsOnly.words, undefined, 'no words unless asked for');
  });

  test('any installed STT model id works as the model', async () => {
    const installed = (await api.request('GET', '/api/models')).json['tasks'] as Record<string, Array<{ id: string }>>;
    const last = installed['stt']?.at(-1)?.id;
    assert.ok(last);
    const { data, response } = await openai.audio.transcriptions
      .create({ file: await file(), model: last })
      .withResponse();
    assert.match(data.text, /window/i);
    const progress = (await api.request('GET', `/api/jobs/${jobIdOf(response)}/progress`)).json;
    const step = (progress['steps'] as Array<{ op: string; model?: string }>).find((s) => s.op === 'stt');
    assert.equal(step?.model, last);
  });

  test('a translation turns Spanish speech into English text', async () => {
    const spanish = path.join(scratch, 'spanish.wav');
    // espeak-ng speaks the language the platform's own Spanish voice uses; Whisper detects it and translates.
    await execFileAsync('espeak-ng', ['-v', 'es', '-s', '120', '-w', spanish, 'El agua está muy fría.']);
    const samples = await decodeToMonoFloat(spanish, 16_000);
    const { data, response } = await openai.audio.translations
      .create({ file: await toFile(encodeWavPcm16(samples, 16_000), 'spanish.wav'), model: 'whisper-1' })
      .withResponse();
    const text = data.text.toLowerCase();
    assert.ok(/\bwater\b/.test(text) && /\bcold\b/.test(text), data.text);
    assert.ok(!/\b(agua|fr[ií]a)\b/.test(text), `still Spanish: ${data.text}`);
    const progress = (await api.request('GET', `/api/jobs/${jobIdOf(response)}/progress`)).json;
    assert.equal(progress['status'], 'completed');

    const englishOnly = await openai.audio.translations.create({ file: await file(), model: 'whisper-tiny-en' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(englishOnly instanceof OpenAI.BadRequestError, String(englishOnly));
    assert.equal(englishOnly.param, 'model');
  });

  test('a client that disconnects does not stop its job, and is not charged: the hold is released', async () => {
    const before = await api.credits();
    const earlier = new Set(
      ((await api.request('GET', '/api/jobs/history?limit=100')).json['items'] as Array<{ jobId: string }>).map(
        (job) => job.jobId,
      ),
    );
    const form = new FormData();
    form.append('file', new Blob([speechWav]), 'speech.wav');
    form.append('model', 'whisper-1');
    const abort = new AbortController();
    const sent = fetch(`${platform.apiUrl}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${openai.apiKey}` },
      body: form,
      signal: abort.signal,
    }).catch((error: unknown) => error);
    // Hang up once the job exists (it shows in the history), well before it can have finished.
    let jobId: string | undefined;
    for (let attempt = 0; attempt < 100 && !jobId; attempt += 1) {
      const items = (await api.request('GET', '/api/jobs/history?limit=5')).json['items'] as Array<{ jobId: string }>;
      jobId = items.find((job) => !earlier.has(job.jobId))?.jobId;
      if (!jobId) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(jobId, 'the job was submitted');
    abort.abort();
    assert.ok((await sent) instanceof Error, 'the request was aborted');
    const final = await api.waitForJob(jobId, { timeoutMs: 120_000 });
    assert.equal(final['status'], 'completed', 'the job ran to the end');
    // The server releases the hold once the job ends with nobody to deliver to.
    let status = (await api.status(jobId)).json;
    for (let attempt = 0; attempt < 50 && status['creditsHeld'] !== 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await api.status(jobId)).json;
    }
    assert.equal(status['creditsHeld'], 0, JSON.stringify(status));
    assert.equal(status['creditsCharged'], null, JSON.stringify(status));
    const after = await api.credits();
    assert.equal(after.creditsRemaining, before.creditsRemaining);
    assert.equal(after.creditsHeld, before.creditsHeld);
  });

  test('an invalid model, a missing file and a bad key raise the SDK typed errors in OpenAI error shape', async () => {
    const badModel = await openai.audio.transcriptions.create({ file: await file(), model: 'whisper-9' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(badModel instanceof OpenAI.BadRequestError, String(badModel));
    assert.equal(badModel.status, 400);
    assert.equal(badModel.type, 'invalid_request_error');
    assert.equal(badModel.param, 'model');
    assert.equal(badModel.code, 'model_not_found');

    const noFile = await openai.audio.transcriptions
      .create({ model: 'whisper-1' } as unknown as OpenAI.Audio.TranscriptionCreateParamsNonStreaming)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    assert.ok(noFile instanceof OpenAI.BadRequestError, String(noFile));
    assert.equal(noFile.param, 'file');

    const badSpeech = await openai.audio.speech.create({ model: 'tts-9', voice: 'alloy', input: 'Hello there.' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(badSpeech instanceof OpenAI.BadRequestError, String(badSpeech));
    assert.equal(badSpeech.param, 'model');

    const badSpeed = await openai.audio.speech
      .create({ model: 'tts-1', voice: 'alloy', input: 'Hello there.', speed: 5 })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    assert.ok(badSpeed instanceof OpenAI.BadRequestError, String(badSpeed));
    assert.equal(badSpeed.param, 'speed');

    const stranger = new OpenAI({ apiKey: 'vp_live_not-a-real-key', baseURL: `${platform.apiUrl}/v1`, maxRetries: 0 });
    const badKey = await stranger.models.list().then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(badKey instanceof OpenAI.AuthenticationError, String(badKey));
    assert.equal(badKey.type, 'authentication_error');
    assert.equal(badKey.code, 'invalid_api_key');
    const notAKey = new OpenAI({ apiKey: 'sk-elsewhere', baseURL: `${platform.apiUrl}/v1`, maxRetries: 0 });
    await assert.rejects(
      notAKey.audio.transcriptions.create({ file: await file(), model: 'whisper-1' }),
      OpenAI.AuthenticationError,
    );
  });

  test('speech in mp3 and wav decodes and transcribes back to the text, for tts-1 and tts-1-hd', async () => {
    for (const [model, format] of [
      ['tts-1', 'mp3'],
      ['tts-1-hd', 'wav'],
    ] as const) {
      const response = await openai.audio.speech.create({
        model,
        voice: 'alloy',
        input: SPEECH_TEXT,
        response_format: format,
      });
      assert.equal(response.headers.get('content-type'), format === 'mp3' ? 'audio/mpeg' : 'audio/wav');
      const audio = Buffer.from(await response.arrayBuffer());
      if (format === 'wav') assert.equal(audio.subarray(0, 4).toString('latin1'), 'RIFF');
      else assert.ok(audio[0] === 0xff || audio.subarray(0, 3).toString('latin1') === 'ID3', 'an MP3 stream');
      const text = await heard(audio, `speech-${model}.${format}`);
      const wer = wordErrorRate(SPEECH_TEXT, text);
      assert.ok(wer <= 0.2, `${model}/${format}: WER ${(wer * 100).toFixed(0)}% "${text}"`);
      const status = await chargedStatus(jobIdOf(response));
      assert.equal(status['status'], 'completed');
      assert.ok((status['creditsCharged'] as number) > 0, JSON.stringify(status));
      assert.equal(status['creditsHeld'], 0);
    }
  });

  test('speech streams: the first bytes arrive while later sentences are still being synthesised', async () => {
    const sentences = [
      'The weather is nice today.',
      'We will walk to the park after lunch.',
      'Please bring a warm jacket.',
      'The children want to feed the ducks.',
      'We can stop for coffee on the way home.',
      'The shop closes at six in the evening.',
    ];
    const input = sentences.join(' ');
    const response = await openai.audio.speech.create({
      model: 'tts-1-hd',
      voice: 'nova',
      input,
      response_format: 'mp3',
    });
    const jobId = jobIdOf(response);
    assert.ok(response.body, 'a streamed body');
    const reader = response.body.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.length > 0);
    // The first audio is here: the job is still speaking the rest.
    const progress = (await api.request('GET', `/api/jobs/${jobId}/progress`)).json;
    const tts = (progress['steps'] as Array<{ op: string; state: string }>).find((step) => step.op === 'tts');
    assert.equal(tts?.state, 'running', JSON.stringify(progress));
    const chunks = [Buffer.from(first.value)];
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      chunks.push(Buffer.from(next.value));
    }
    assert.ok(chunks.length > 2, `${chunks.length} chunks`);
    const text = await heard(Buffer.concat(chunks), 'streamed.mp3');
    const wer = wordErrorRate(input, text);
    assert.ok(wer <= 0.2, `streamed: WER ${(wer * 100).toFixed(0)}% "${text}"`);
    // Charged once the job completes (after the stream): the output as the job delivered it.
    const status = await chargedStatus(jobId);
    assert.equal(status['status'], 'completed');
    assert.ok((status['creditsCharged'] as number) > 0, JSON.stringify(status));
  });

  test('wav streams with an open-ended header, and pcm is the same samples raw', async () => {
    const input = 'Hello there. This is a streamed test.';
    const wav = Buffer.from(
      await (
        await openai.audio.speech.create({ model: 'tts-1', voice: 'fable', input, response_format: 'wav' })
      ).arrayBuffer(),
    );
    assert.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.equal(wav.readUInt32LE(24), 24_000, 'sample rate');
    assert.equal(wav.readUInt16LE(34), 16, 'bits per sample');
    const pcm = Buffer.from(
      await (
        await openai.audio.speech.create({ model: 'tts-1', voice: 'fable', input, response_format: 'pcm' })
      ).arrayBuffer(),
    );
    // flite is deterministic: the same text and voice give the same samples, behind the 44-byte header.
    assert.equal(wav.length - 44, pcm.length);
    assert.ok(wav.subarray(44).equals(pcm));
    const wer = wordErrorRate(input, await heard(wav, 'streamed.wav'));
    assert.ok(wer <= 0.25, `WER ${(wer * 100).toFixed(0)}%`);
  });

  test('a library voice id speaks through TTS then voice_clone, delivered when the job is done', async () => {
    const sample = await synthesizeSpeech(
      'This is a sample of my voice. I read it slowly and clearly, so that it can be analysed well.',
      { voice: 'slt', sampleRate: 16_000 },
    );
    const uploaded = await api.upload('/api/voices/upload', encodeWavPcm16(sample.samples, 16_000), 'me.wav', {
      name: 'Me',
    });
    assert.equal(uploaded.status, 201, uploaded.text);
    const voiceId = uploaded.json['id'] as string;
    const response = await openai.audio.speech.create({
      model: 'tts-1',
      voice: voiceId,
      input: SPEECH_TEXT,
      response_format: 'flac',
    });
    assert.equal(response.headers.get('content-type'), 'audio/flac');
    const audio = Buffer.from(await response.arrayBuffer());
    assert.equal(audio.subarray(0, 4).toString('latin1'), 'fLaC');
    const jobId = jobIdOf(response);
    const progress = (await api.request('GET', `/api/jobs/${jobId}/progress`)).json;
    assert.deepEqual(
      (progress['steps'] as Array<{ op: string }>)
        .map((step) => step.op)
        .filter((op) => op === 'tts' || op === 'voice_clone'),
      ['tts', 'voice_clone'],
    );
    assert.ok(((await chargedStatus(jobId))['creditsCharged'] as number) > 0, 'charged once delivered');
    const wer = wordErrorRate(SPEECH_TEXT, await heard(audio, 'library.flac'));
    assert.ok(wer <= 0.35, `WER ${(wer * 100).toFixed(0)}%`);
  });

  test('pcm is raw 24 kHz 16-bit mono, and speed stretches the duration beyond the voices own range', async () => {
    const durationOf = async (speed: number) => {
      const response = await openai.audio.speech.create({
        model: 'tts-1',
        voice: 'echo',
        input: 'Hello there, this is a test.',
        response_format: 'pcm',
        speed,
      });
      const seconds = Buffer.from(await response.arrayBuffer()).length / 2 / 24_000;
      assert.ok(((await chargedStatus(jobIdOf(response)))['creditsCharged'] as number) > 0);
      return seconds;
    };
    const normal = await durationOf(1);
    const fast = await durationOf(4);
    assert.ok(normal > 1, `${normal} s`);
    // 4× = the voice at 2× then atempo 2×: roughly a quarter of the length (pauses and edges do not scale).
    assert.ok(fast < normal / 2.5, `speed 4: ${fast} s vs ${normal} s`);
  });
});
