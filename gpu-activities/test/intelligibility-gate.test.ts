import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { encodeWav, resample } from '@voice/audio';
import { FailureTypes, PROCESSING_SAMPLE_RATE } from '@voice/shared';
import { MAX_TTS_WORD_ERROR_RATE, SpeechEngines } from '@voice/speech';
import type { LocalStorage } from '@voice/storage';
import { testLocalStorage } from '@voice/testkit';
import { createGpuActivities, type GpuActivities } from '../src';

type CheckInput = Parameters<GpuActivities['checkIntelligibility']>[0];

const WEATHER = 'The weather is nice today.';

/** The TTS quality gate on real speech: espeak-ng renders it, Whisper (the default recogniser) hears it back. */
describe('checkIntelligibility', () => {
  let root: string;
  let storage: LocalStorage;
  let speech: SpeechEngines;
  let activities: GpuActivities;

  const check = (input: CheckInput): Promise<Awaited<ReturnType<GpuActivities['checkIntelligibility']>>> =>
    new MockActivityEnvironment().run(activities.checkIntelligibility, input);
  /** Stores `samples` as the pipeline's delivered audio: a float WAV at the working rate. */
  const store = async (key: string, samples: Float32Array, sampleRate: number) => {
    const working = resample(samples, sampleRate, PROCESSING_SAMPLE_RATE);
    await storage.putBuffer(key, encodeWav(working, PROCESSING_SAMPLE_RATE, { format: 'float32' }), 'audio/wav');
  };
  const rejectsAsQualityFailure = async (input: CheckInput) =>
    assert.rejects(check(input), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure, String(error));
      assert.equal(error.type, FailureTypes.QualityCheckFailed);
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /does not match the text \(word error rate \d+%, character error rate \d+%\)/);
      return true;
    });

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'intelligibility-'));
    storage = testLocalStorage(path.join(root, 'storage'));
    speech = new SpeechEngines();
    activities = createGpuActivities({ storage, workDir: path.join(root, 'work'), heartbeatIntervalMs: 0, speech });
    // Whisper base hears this espeak-ng render as "But whatever is ice today...": three words of five wrong (the gate
    // failed it on the word rate alone, so the sentence could never be made), 7 letters of 25.
    const weather = await speech.synthesize({ text: WEATHER, modelId: 'espeak-ng', language: 'en' });
    await store('jobs/gate/weather.wav', weather.samples, weather.sampleRate);
    await store('jobs/gate/silence.wav', new Float32Array(2 * PROCESSING_SAMPLE_RATE), PROCESSING_SAMPLE_RATE);
  });
  after(async () => {
    await speech.unloadAll();
    await rm(root, { recursive: true, force: true });
  });

  it('passes speech that says the text though the recogniser mishears words of it, reporting the recogniser and what it heard', async () => {
    const result = await check({
      jobId: 'gate',
      audioKey: 'jobs/gate/weather.wav',
      expectedText: WEATHER,
      language: 'en',
    });
    assert.match(result.recognizer, /^whisper/);
    assert.match(result.heard.toLowerCase(), /today/);
    // Over the word-rate limit: it passed on its character rate.
    assert.ok(result.wordErrorRate > MAX_TTS_WORD_ERROR_RATE, `${result.wordErrorRate} (heard: ${result.heard})`);
  });

  it('fails, for good, speech that says another sentence', async () => {
    await rejectsAsQualityFailure({
      jobId: 'gate',
      audioKey: 'jobs/gate/weather.wav',
      expectedText: 'Please subscribe for more videos.',
      language: 'en',
    });
  });

  it('fails, for good, a silent render', async () => {
    await rejectsAsQualityFailure({
      jobId: 'gate',
      audioKey: 'jobs/gate/silence.wav',
      expectedText: 'Let us begin the lesson.',
      language: 'en',
    });
  });
});
