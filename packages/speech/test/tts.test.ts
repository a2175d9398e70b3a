import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { UnknownModelError } from '@voice/models';
import { SpeechEngines, SpeechRequestError } from '../src';

const engines = new SpeechEngines();
after(() => engines.unloadAll());

const SHORT = 'The weather is clear today.';
const LONG =
  'The weather is clear today. We will walk along the river after lunch. ' +
  'Bring a warm coat, because the wind is cold near the water. Dinner is at seven.';

describe('text-to-speech', () => {
  it('defaults to the neural Piper voice and splits long text into sentences, lengthening the output', async () => {
    const progress: number[] = [];
    const short = await engines.synthesize({ text: SHORT });
    const long = await engines.synthesize({ text: LONG }, { onProgress: (f) => progress.push(f) });
    assert.equal(long.modelId, 'piper-en-us-joe-medium');
    assert.equal(long.sampleRate, 22050);
    assert.equal(short.sentences, 1);
    assert.equal(long.sentences, 4);
    assert.deepEqual(progress, [0.25, 0.5, 0.75, 1]);
    assert.ok(short.durationSeconds > 1 && short.durationSeconds < 4, `short ${short.durationSeconds}`);
    assert.ok(long.durationSeconds > 3 * short.durationSeconds, `long ${long.durationSeconds}`);
    const peak = long.samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(peak > 0.1 && peak <= 1.5, `peak ${peak}`);
  });

  it('hands each sentence to onSentence as it is spoken, and those pieces in order are the output', async () => {
    const seen: Array<{ index: number; length: number; at: number }> = [];
    const pieces: Float32Array[] = [];
    const speech = await engines.synthesize(
      { text: LONG, modelId: 'flite', voiceId: 'slt' },
      {
        onSentence: (piece, index) => {
          assert.equal(piece.sampleRate, 16_000);
          pieces.push(piece.samples);
          seen.push({ index, length: piece.samples.length, at: pieces.length });
          return Promise.resolve();
        },
      },
    );
    assert.deepEqual(
      seen.map((s) => s.index),
      [0, 1, 2, 3],
    );
    const joined = new Float32Array(pieces.reduce((sum, p) => sum + p.length, 0));
    let offset = 0;
    for (const piece of pieces) {
      joined.set(piece, offset);
      offset += piece.length;
    }
    assert.equal(joined.length, speech.samples.length);
    assert.deepEqual(joined, speech.samples);
  });

  it('speaks faster at speed 1.5 through the model length scale', async () => {
    const normal = await engines.synthesize({ text: LONG });
    const fast = await engines.synthesize({ text: LONG, speed: 1.5 });
    const ratio = fast.durationSeconds / normal.durationSeconds;
    // Pauses between sentences are fixed, so the ratio sits a little above 1/1.5.
    assert.ok(ratio > 0.6 && ratio < 0.8, `ratio ${ratio}`);
  });

  it('keeps the duration when shifting pitch', async () => {
    // Piper samples its phoneme durations (noise_w), so two runs differ by a few percent.
    const normal = await engines.synthesize({ text: SHORT });
    const higher = await engines.synthesize({ text: SHORT, pitch: 1.2 });
    const ratio = higher.durationSeconds / normal.durationSeconds;
    assert.ok(ratio > 0.9 && ratio < 1.1, `ratio ${ratio}`);
  });

  it('offers classical flite and espeak-ng voices, espeak-ng also for Spanish', async () => {
    const flite = await engines.synthesize({ text: SHORT, modelId: 'flite', voiceId: 'slt' });
    assert.equal(flite.sampleRate, 16000);
    assert.ok(flite.durationSeconds > 1);
    const fliteFast = await engines.synthesize({ text: SHORT, modelId: 'flite', voiceId: 'slt', speed: 1.5 });
    assert.ok(fliteFast.durationSeconds < flite.durationSeconds * 0.8);
    const spanish = await engines.synthesize({ text: 'Hola, ¿cómo estás? Muy bien, gracias.', language: 'es' });
    assert.equal(spanish.modelId, 'espeak-ng');
    assert.equal(spanish.voiceId, 'es');
    assert.equal(spanish.sentences, 2);
    assert.ok(spanish.durationSeconds > 1);
  });

  it('rejects empty or over-long text, unknown models and voices with clear errors', async () => {
    await assert.rejects(engines.synthesize({ text: '   ' }), SpeechRequestError);
    await assert.rejects(engines.synthesize({ text: 'a'.repeat(10_001) }), /limit is 10000/);
    await assert.rejects(engines.synthesize({ text: SHORT, modelId: 'no-such-model' }), UnknownModelError);
    await assert.rejects(engines.synthesize({ text: SHORT, language: 'tlh' }), UnknownModelError);
    await assert.rejects(engines.synthesize({ text: SHORT, modelId: 'flite', voiceId: 'bob' }), /Unknown flite voice/);
    await assert.rejects(engines.synthesize({ text: SHORT, speed: 10 }), /speed must be/);
  });

  it('stops between sentences when aborted', async () => {
    const controller = new AbortController();
    const run = engines.synthesize({ text: LONG }, { signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(run, { name: 'AbortError' });
  });
});
