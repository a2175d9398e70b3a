import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyzeAudio, decodeWav } from '@voice/audio';
import { wordErrorRate } from '@voice/gpu-activities';
import { encodeWavPcm16, synthesizeSpeech } from '@voice/testkit';
import { ApiClient, startTestPlatform, type TestPlatform } from '../src';

interface Transcript {
  text: string;
  words: Array<{ word: string; start: number; end: number }>;
  durationSeconds: number;
}

const SENTENCES = 'The weather is nice today. We will walk to the park after lunch. Please bring a warm jacket.';

describe('text to speech and speech to text jobs', { timeout: 300_000 }, () => {
  let platform: TestPlatform;
  let api: ApiClient;

  before(async () => {
    platform = await startTestPlatform();
    api = platform.api();
    await api.register(`speech-${Date.now()}@example.com`);
  });
  after(async () => platform?.close());

  const completed = async (accepted: Awaited<ReturnType<ApiClient['request']>>) => {
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;
    const final = await api.waitForJob(jobId, { timeoutMs: 240_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    const download = await api.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(download.status, 200, download.text);
    return { jobId, download: download.json };
  };

  const transcribe = async (wav: Buffer, language = 'en') => {
    const { download } = await completed(await api.upload('/api/audio/stt', wav, 'speech.wav', { language }));
    const transcript = (await (await fetch(download['url'] as string)).json()) as Transcript;
    return { transcript, artifacts: download['artifacts'] as { srt: string; vtt: string } };
  };

  test('TTS output says the text: transcribed back, the word error rate is at most 10%', async () => {
    const { jobId, download } = await completed(await api.request('POST', '/api/audio/tts', { text: SENTENCES }));
    const wav = Buffer.from(await (await fetch(download['url'] as string)).arrayBuffer());
    const { samples, sampleRate } = decodeWav(wav);
    const measured = analyzeAudio(samples, sampleRate);
    assert.ok(measured.durationMs > 3000, `only ${measured.durationMs} ms of speech`);
    assert.ok(Math.abs(measured.integratedLufs - -16) <= 1, `loudness ${measured.integratedLufs}`);

    const progress = await api.request('GET', `/api/jobs/${jobId}/progress`);
    const ttsStep = (progress.json['steps'] as Array<{ op: string; model?: string }>).find((step) => step.op === 'tts');
    assert.ok(ttsStep?.model, 'the job records which voice model spoke');

    const { transcript } = await transcribe(wav);
    const wer = wordErrorRate(SENTENCES, transcript.text);
    assert.ok(wer <= 0.1, `WER ${(wer * 100).toFixed(1)}%: "${transcript.text}"`);
  });

  test('STT returns ordered word timestamps inside the clip that cover the spoken words, plus SRT and VTT', async () => {
    const first = await synthesizeSpeech('Open the window before the meeting starts.', {
      voice: 'kal16',
      sampleRate: 16_000,
    });
    const second = await synthesizeSpeech('Then close the door quietly.', { voice: 'kal16', sampleRate: 16_000 });
    const gap = 16_000 * 2;
    const audio = new Float32Array(first.samples.length + gap + second.samples.length);
    audio.set(first.samples, 0);
    audio.set(second.samples, first.samples.length + gap);
    const clipSeconds = audio.length / 16_000;
    const { transcript, artifacts } = await transcribe(encodeWavPcm16(audio, 16_000));

    assert.ok(transcript.words.length >= 8, JSON.stringify(transcript.words));
    for (const [index, word] of transcript.words.entries()) {
      assert.ok(word.start >= 0 && word.end <= clipSeconds + 0.05 && word.start <= word.end, JSON.stringify(word));
      if (index > 0) assert.ok(word.start >= (transcript.words[index - 1]?.start ?? 0), 'words are ordered');
    }
    const spoken = transcript.words.map((word) => word.word.toLowerCase().replace(/[^a-z']/g, ''));
    for (const expected of ['open', 'window', 'door', 'quietly'])
      assert.ok(spoken.includes(expected), `${expected} in ${spoken.join(' ')}`);
    // Nothing is "heard" in the two seconds of silence between the sentences.
    const silenceStart = first.samples.length / 16_000 + 0.2;
    const silenceEnd = silenceStart + 1.6;
    assert.ok(
      !transcript.words.some((word) => word.start > silenceStart && word.end < silenceEnd),
      'no words in the silence',
    );
    const door = transcript.words.find((word) => word.word.toLowerCase().includes('door'));
    assert.ok(door && door.start > first.samples.length / 16_000 + 1.5, 'words after the gap are timed after it');

    const srt = await (await fetch(artifacts.srt)).text();
    assert.match(srt, /^1\r?\n\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}\r?\n/);
    const vtt = await (await fetch(artifacts.vtt)).text();
    assert.match(vtt, /^WEBVTT/);
    assert.match(vtt, /\d{2}:\d{2}:\d{2}\.\d{3} --> /);
  });

  test('bad speech requests answer 400 with a clear message and take no credits', async () => {
    const before = await api.credits();
    const speech = encodeWavPcm16((await synthesizeSpeech('Hello there.', { sampleRate: 16_000 })).samples, 16_000);
    const cases: Array<[string, Awaited<ReturnType<ApiClient['request']>>, RegExp]> = [
      ['empty text', await api.request('POST', '/api/audio/tts', { text: '   ' }), /empty/],
      ['text over the limit', await api.request('POST', '/api/audio/tts', { text: 'a'.repeat(10_001) }), /10000/],
      [
        'unknown voice model',
        await api.request('POST', '/api/audio/tts', { text: 'Hi.', model: 'no-such-voice' }),
        /Available: .*piper/,
      ],
      [
        'unsupported TTS language',
        await api.request('POST', '/api/audio/tts', { text: 'Hi.', language: 'tlh' }),
        /not supported/,
      ],
      [
        'unknown STT model',
        await api.upload('/api/audio/stt', speech, 'x.wav', { model: 'whisper-huge' }),
        /Available: .*whisper/,
      ],
      [
        'unsupported STT language',
        await api.upload('/api/audio/stt', speech, 'x.wav', { language: 'tlh' }),
        /not supported/,
      ],
    ];
    for (const [name, response, message] of cases) {
      assert.equal(response.status, 400, `${name}: ${response.text}`);
      assert.match(response.json['error']?.message as string, message, name);
    }
    assert.deepEqual(await api.credits(), before);
  });
});
