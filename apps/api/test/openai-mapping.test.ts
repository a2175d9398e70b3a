import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { ModelListing } from '../src/jobs/model-listing';
import { toOpenAiError } from '../src/openai/openai-exception.filter';
import {
  acceptedModelIds,
  resolveSttModel,
  resolveTranslationModel,
  resolveTtsEngine,
  resolveVoice,
} from '../src/openai/openai-models';
import { transcriptionFieldsSchema } from '../src/openai/openai-schemas';
import { toVerboseJson } from '../src/openai/openai-transcript';
import { encoderArgs, openEndedWavHeader } from '../src/openai/speech-encoder';

const model = (id: string, languages: string[], voices?: string[]) => ({
  id,
  displayName: id,
  kind: 'neural' as const,
  runtime: 'native' as const,
  languages,
  ...(voices ? { voices } : {}),
  sampleRate: 16_000,
  qualityTier: 1,
  licence: 'MIT',
  default: false,
});

function listing(stt: string[][], tts: Array<[string, string[]]>): ModelListing {
  const empty = { denoise: [], 'voice-conversion': [], translate: [], music: [], sfx: [], vad: [] };
  return {
    tasks: {
      ...empty,
      stt: stt.map(([id, ...languages]) => model(id ?? '', languages)),
      tts: tts.map(([id, voices]) => model(id, ['en'], voices)),
    },
    unavailable: [],
  };
}

const installed = listing(
  [
    ['whisper-base', 'en', 'es'],
    ['whisper-tiny-en', 'en'],
  ],
  [
    ['piper-en-us-joe-medium', ['joe']],
    ['flite', ['kal16', 'slt', 'awb', 'rms', 'kal']],
    ['espeak-ng', ['en', 'en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-rp', 'en-us-nyc', 'en-029', 'es']],
  ],
);

describe('OpenAI model and voice mapping', () => {
  test('whisper-1 is the best installed STT model, installed ids are themselves, others are unknown', () => {
    assert.deepEqual(resolveSttModel('whisper-1', installed), { ok: true });
    assert.deepEqual(resolveSttModel('whisper-tiny-en', installed), { ok: true, model: 'whisper-tiny-en' });
    assert.deepEqual(resolveSttModel('whisper-large', installed), { ok: false });
    assert.deepEqual(resolveSttModel('whisper-1', listing([], [])), { ok: false });
  });

  test('translation only runs on multilingual Whisper models', () => {
    assert.equal(resolveTranslationModel('whisper-1', installed), 'whisper-base');
    assert.equal(resolveTranslationModel('whisper-tiny-en', installed), undefined);
    assert.equal(resolveTranslationModel('whisper-1', listing([['whisper-tiny-en', 'en']], [])), undefined);
  });

  test('tts-1 is flite, tts-1-hd Piper, each falling back to the best installed voice', () => {
    assert.equal(resolveTtsEngine('tts-1', installed), 'flite');
    assert.equal(resolveTtsEngine('espeak-ng', installed), 'espeak-ng');
    assert.equal(resolveTtsEngine('tts-1-hd', installed), 'piper-en-us-joe-medium');
    assert.equal(resolveTtsEngine('tts-1', listing([], [['espeak-ng', ['en']]])), 'espeak-ng');
    assert.equal(resolveTtsEngine('tts-2', installed), undefined);
  });

  test('OpenAI voice names map by the table; engine voices are themselves; anything else is a library voice', () => {
    assert.deepEqual(resolveVoice('echo', 'flite', installed), { kind: 'engine', voiceId: 'rms' });
    assert.deepEqual(resolveVoice('echo', 'piper-en-us-joe-medium', installed), { kind: 'engine', voiceId: 'joe' });
    assert.deepEqual(resolveVoice('fable', 'espeak-ng', installed), { kind: 'engine', voiceId: 'en-gb-scotland' });
    assert.deepEqual(resolveVoice('alloy', 'some-other-engine', installed), { kind: 'engine' });
    assert.deepEqual(resolveVoice('awb', 'flite', installed), { kind: 'engine', voiceId: 'awb' });
    const uuid = '3f0c8a52-6f3e-4b8f-9d43-0e2b8f1c1a77';
    assert.deepEqual(resolveVoice(uuid, 'flite', installed), { kind: 'library', voiceId: uuid });
  });

  test('GET /v1/models lists the OpenAI names only when something installed serves them', () => {
    assert.deepEqual(acceptedModelIds(installed), [
      'whisper-1',
      'tts-1',
      'tts-1-hd',
      'whisper-base',
      'whisper-tiny-en',
      'piper-en-us-joe-medium',
      'flite',
      'espeak-ng',
    ]);
    assert.deepEqual(acceptedModelIds(listing([['whisper-base', 'en']], [])), ['whisper-1', 'whisper-base']);
  });
});

describe('OpenAI shapes', () => {
  test('errors carry type, param and code as OpenAI spells them', () => {
    assert.deepEqual(
      toOpenAiError({ status: 400, code: 'UNKNOWN_MODEL', message: 'no', details: { param: 'model' } }),
      { error: { message: 'no', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } },
    );
    assert.deepEqual(
      toOpenAiError({
        status: 400,
        code: 'VALIDATION_FAILED',
        message: 'bad',
        details: [{ field: 'speed', message: 'x' }],
      }),
      { error: { message: 'bad', type: 'invalid_request_error', param: 'speed', code: 'validation_failed' } },
    );
    assert.equal(toOpenAiError({ status: 401, code: 'INVALID_API_KEY', message: '' }).error.code, 'invalid_api_key');
    assert.equal(toOpenAiError({ status: 401, code: 'UNAUTHORIZED', message: '' }).error.type, 'authentication_error');
    assert.equal(
      toOpenAiError({ status: 402, code: 'INSUFFICIENT_CREDITS', message: '' }).error.type,
      'insufficient_quota',
    );
    assert.equal(toOpenAiError({ status: 429, code: 'RATE_LIMITED', message: '' }).error.code, 'rate_limit_exceeded');
    assert.equal(toOpenAiError({ status: 503, code: 'SERVICE_UNAVAILABLE', message: '' }).error.type, 'server_error');
  });

  test('verbose_json derives log-probabilities from word confidences and keeps words only when asked', () => {
    const transcript = {
      text: 'Hello there. Bye now.',
      language: 'en',
      durationSeconds: 3.456,
      segments: [
        { start: 0, end: 1.2, text: 'Hello there.' },
        { start: 2, end: 3, text: 'Bye now.' },
      ],
      words: [
        { word: ' Hello', start: 0, end: 0.5, confidence: 0.5 },
        { word: ' there.', start: 0.6, end: 1.2, confidence: 1 },
        { word: ' Bye', start: 2, end: 2.4, confidence: 0.9 },
        { word: ' now.', start: 2.5, end: 3, confidence: 0.9 },
      ],
    };
    const verbose = toVerboseJson(transcript, { task: 'transcribe', temperature: 0.2, words: true });
    assert.equal(verbose.language, 'english');
    assert.equal(verbose.duration, 3.46);
    assert.equal(verbose.segments[0]?.avg_logprob, Number((Math.log(0.5) / 2).toFixed(4)));
    assert.equal(verbose.segments[1]?.seek, 200);
    assert.equal(verbose.segments[1]?.temperature, 0.2);
    assert.deepEqual(verbose.words?.[0], { word: 'Hello', start: 0, end: 0.5 });
    assert.equal(toVerboseJson(transcript, { task: 'translate', temperature: 0, words: false }).words, undefined);
  });

  test('timestamp_granularities[] arrives as a string or an array, and needs verbose_json', () => {
    const one = transcriptionFieldsSchema.parse({
      model: 'whisper-1',
      response_format: 'verbose_json',
      timestamp_granularities: 'word',
    });
    assert.deepEqual(one.timestamp_granularities, ['word']);
    assert.equal(
      transcriptionFieldsSchema.safeParse({ model: 'whisper-1', timestamp_granularities: ['word'] }).success,
      false,
    );
    assert.equal(transcriptionFieldsSchema.parse({ model: 'whisper-1' }).response_format, 'json');
  });

  test('speech is encoded at 24 kHz mono, with atempo only for the speed the voice could not do', () => {
    assert.ok(!encoderArgs('mp3', 1).includes('-af'));
    const args = encoderArgs('opus', 2, 'pcm');
    assert.deepEqual(args.slice(args.indexOf('-af'), args.indexOf('-af') + 2), ['-af', 'atempo=2.0000']);
    const input = args.slice(0, args.indexOf('pipe:0'));
    assert.deepEqual(input.slice(input.indexOf('-f'), input.indexOf('-f') + 6), [
      '-f',
      's16le',
      '-ar',
      '24000',
      '-ac',
      '1',
    ]);
    assert.ok(input.includes('-analyzeduration'), 'no probing delay on a stream of known format');
    const header = openEndedWavHeader();
    assert.equal(header.length, 44);
    assert.equal(header.readUInt32LE(24), 24_000);
    assert.equal(header.readUInt32LE(40), 0xffffffff);
  });
});
