import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { getModel, resolveModelFile, type ModelManifest } from '@voice/models';
import type { NoiseLevel } from '@voice/shared';
import {
  activeMask,
  findLag,
  measureRealTimeFactor,
  measureSnrDb,
  mixAtSnr,
  pinkNoise,
  synthesizeSpeech,
  whiteNoise,
} from '@voice/testkit';
import { UnsupportedModelError, loadDenoiser, strengthForNoiseLevel, type Denoiser } from '../src';
import { compileWasmOnce } from '../src/wasm-runtime';
import { assertAbortsMidStream, assertProgressEndsAtOne } from './support/denoiser-contract';

const RATE = 48000;
const TEXT = 'The quick brown fox jumps over the lazy dog. Clear speech should survive noise removal.';
type NoiseKind = 'white' | 'pink';
type Condition = `${NoiseKind}@${0 | 5}dB`;
const CONDITIONS: readonly Condition[] = ['white@0dB', 'white@5dB', 'pink@0dB', 'pink@5dB'];

/**
 * Lower bounds on SNR improvement (dB) at noise_level "moderate", ~1 dB under the values measured on
 * this deterministic fixture (gtcrn 15.4/13.7/8.6/8.1, rnnoise 11.5/8.9/6.7/5.8, speex 7.6/7.1/4.4/4.5),
 * except gtcrn on white noise at 0 dB, held to the 15 dB product target. Pink noise overlaps the
 * voice's low harmonics, where every model trades residual noise for speech distortion.
 */
const MIN_IMPROVEMENT_DB: Record<string, Record<Condition, number>> = {
  gtcrn: { 'white@0dB': 15, 'white@5dB': 12.5, 'pink@0dB': 7.5, 'pink@5dB': 7 },
  rnnoise: { 'white@0dB': 10.5, 'white@5dB': 8, 'pink@0dB': 5.5, 'pink@5dB': 4.8 },
  speex: { 'white@0dB': 6.5, 'white@5dB': 6, 'pink@0dB': 3.5, 'pink@5dB': 3.5 },
};

let clean: Float32Array;
const noisy = new Map<Condition, Float32Array>();
const denoisers = new Map<string, Denoiser>();
// Each model/level/condition is processed once and shared between the specs that look at it.
const outputs = new Map<string, Promise<Float32Array>>();

function model(id: string): ModelManifest {
  const m = getModel(id);
  assert.ok(m, `model ${id} missing`);
  return m;
}

function denoiser(id: string): Denoiser {
  const d = denoisers.get(id);
  assert.ok(d, `denoiser ${id} not loaded`);
  return d;
}

function noisyInput(condition: Condition): Float32Array {
  const x = noisy.get(condition);
  assert.ok(x);
  return x;
}

function denoised(id: string, level: NoiseLevel, condition: Condition): Promise<Float32Array> {
  const key = `${id}/${level}/${condition}`;
  let out = outputs.get(key);
  if (!out) {
    out = denoiser(id).process(noisyInput(condition), { strength: strengthForNoiseLevel(level) });
    outputs.set(key, out);
  }
  return out;
}

// SNR measurement (FFT alignment over ~0.3 M samples) costs more than a denoise pass: measure each signal once.
const snrCache = new WeakMap<Float32Array, number>();
function snrDb(signal: Float32Array): number {
  let v = snrCache.get(signal);
  if (v === undefined) {
    v = measureSnrDb(clean, signal);
    snrCache.set(signal, v);
  }
  return v;
}

function improvementDb(condition: Condition, output: Float32Array): number {
  return snrDb(output) - snrDb(noisyInput(condition));
}

/** Noise energy left in the speech pauses, relative to the input, in dB (more negative = more removed). */
function pauseAttenuationDb(condition: Condition, output: Float32Array): number {
  const active = activeMask(clean, RATE);
  let before = 0;
  let after = 0;
  for (let i = 0; i < clean.length; i++) {
    if (active[i]) continue;
    before += (noisyInput(condition)[i] ?? 0) ** 2;
    after += (output[i] ?? 0) ** 2;
  }
  return 10 * Math.log10(after / before);
}

before(async () => {
  const speech = await synthesizeSpeech(TEXT, { voice: 'slt', sampleRate: RATE });
  // Peak at -10 dBFS so the 0 dB mixes stay well inside -1..1 (speex works in int16).
  const peak = speech.samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
  clean = speech.samples.map((s) => (s * 0.3) / peak);
  for (const condition of CONDITIONS) {
    const [kind, snr] = condition.split('@') as [NoiseKind, string];
    const noise = (kind === 'white' ? whiteNoise : pinkNoise)(clean.length, 0.1, kind === 'white' ? 11 : 12);
    noisy.set(condition, mixAtSnr(clean, noise, Number.parseInt(snr, 10), { sampleRate: RATE }));
  }
  for (const id of ['gtcrn', 'rnnoise', 'speex']) denoisers.set(id, await loadDenoiser(model(id)));
});

describe('denoise engine', () => {
  for (const id of ['gtcrn', 'rnnoise', 'speex']) {
    it(`${id} at moderate improves SNR on white and pink noise at 0 and 5 dB`, async (t) => {
      for (const condition of CONDITIONS) {
        const gain = improvementDb(condition, await denoised(id, 'moderate', condition));
        t.diagnostic(`${id} moderate ${condition}: +${gain.toFixed(1)} dB`);
        const floor = MIN_IMPROVEMENT_DB[id]?.[condition] ?? Infinity;
        assert.ok(gain >= floor, `${id} ${condition}: +${gain.toFixed(1)} dB < ${floor} dB`);
      }
    });
  }

  it('gtcrn removes noise in speech pauses by at least 25 dB (white) and 17 dB (pink) at aggressive', async () => {
    assert.ok(pauseAttenuationDb('white@0dB', await denoised('gtcrn', 'aggressive', 'white@0dB')) <= -25);
    assert.ok(pauseAttenuationDb('pink@0dB', await denoised('gtcrn', 'aggressive', 'pink@0dB')) <= -17);
  });

  it('removes more noise at aggressive than moderate, and at moderate than light', async (t) => {
    for (const condition of ['white@0dB', 'pink@0dB'] as const) {
      const levels = ['light', 'moderate', 'aggressive'] as const;
      const outs = await Promise.all(levels.map((level) => denoised('gtcrn', level, condition)));
      const snr = outs.map((o) => improvementDb(condition, o));
      const pause = outs.map((o) => pauseAttenuationDb(condition, o));
      t.diagnostic(
        `gtcrn ${condition} SNR gain light/moderate/aggressive: ${snr.map((v) => v.toFixed(1)).join(' / ')} dB; ` +
          `noise in pauses: ${pause.map((v) => v.toFixed(1)).join(' / ')} dB`,
      );
      const [light, moderate, aggressive] = snr as [number, number, number];
      const [pLight, pModerate, pAggressive] = pause as [number, number, number];
      assert.ok(moderate >= light + 2, 'moderate beats light by ≥ 2 dB SNR');
      assert.ok(aggressive >= moderate + 0.2, 'aggressive beats moderate in SNR');
      // The wet/dry floor is the lever: pauses must get measurably quieter at each step.
      assert.ok(pModerate <= pLight - 5, 'moderate leaves ≥ 5 dB less noise in pauses than light');
      assert.ok(pAggressive <= pModerate - 2, 'aggressive leaves ≥ 2 dB less noise in pauses than moderate');
    }
  });

  it('ranks models as their quality tiers say (gtcrn > rnnoise > speex on average)', async () => {
    const mean = async (id: string) => {
      let sum = 0;
      for (const c of CONDITIONS) sum += improvementDb(c, await denoised(id, 'moderate', c));
      return sum / CONDITIONS.length;
    };
    const [g, r, s] = [await mean('gtcrn'), await mean('rnnoise'), await mean('speex')];
    assert.ok(g > r && r > s, `gtcrn ${g.toFixed(1)}, rnnoise ${r.toFixed(1)}, speex ${s.toFixed(1)}`);
  });

  it('returns output of the same length, time-aligned with the input, for every model', async () => {
    for (const id of ['gtcrn', 'rnnoise', 'speex']) {
      const out = await denoiser(id).process(clean, { strength: 1 });
      assert.equal(out.length, clean.length);
      // rnnoise's input high-pass shifts the correlation peak by a sample; everything else is exact.
      const lag = findLag(clean, out, 2400);
      assert.ok(Math.abs(lag) <= 1, `${id} output lags by ${lag} samples`);
      // Lengths that are not a multiple of any frame size, including shorter than one frame.
      for (const n of [1, 479, 12345]) {
        assert.equal((await denoiser(id).process(clean.subarray(0, n), { strength: 1 })).length, n);
      }
    }
  });

  it('passes the input through untouched at strength 0 and rejects strengths outside 0..1', async () => {
    const input = noisyInput('white@5dB').subarray(0, 4800);
    assert.deepEqual(await denoiser('gtcrn').process(input, { strength: 0 }), input);
    await assert.rejects(denoiser('gtcrn').process(input, { strength: 1.5 }), RangeError);
    await assert.rejects(denoiser('gtcrn').process(input, { strength: Number.NaN }), RangeError);
  });

  it('reports monotonic progress that ends at exactly 1', async () => {
    await assertProgressEndsAtOne(denoiser('gtcrn'), noisyInput('white@0dB').subarray(0, RATE));
  });

  it('rejects with the abort reason within 1 s of an abort mid-stream, and stays usable', async () => {
    // ~40 s of audio: several seconds of gtcrn work, so the abort lands mid-stream.
    await assertAbortsMidStream(denoiser('gtcrn'), 40);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const signal = AbortSignal.abort();
    await assert.rejects(denoiser('speex').process(clean, { strength: 1, signal }), { name: 'AbortError' });
  });

  it('compiles each wasm file once per process and shares it across loads', async () => {
    const again = await loadDenoiser(model('gtcrn'));
    assert.equal(again.modelId, 'gtcrn');
    assert.equal(again.sampleRate, RATE);
    // The same absolute path loadDenoiser resolves, so this is the cache entry it used.
    const file = resolveModelFile(model('gtcrn'), 'dist/gtcrn.wasm');
    assert.equal(compileWasmOnce(file), compileWasmOnce(file));
  });

  it('refuses models it has no engine for', async () => {
    const fake: ModelManifest = { ...model('gtcrn'), id: 'nope' };
    await assert.rejects(loadDenoiser(fake), UnsupportedModelError);
    await assert.rejects(loadDenoiser({ ...model('gtcrn'), task: 'tts' }), UnsupportedModelError);
  });

  // Speed is measured by `npm run bench` (each model's real-time factor), not asserted here: a timed bound
  // only measures how loaded the machine is. The diagnostic is for whoever reads the test log.
  it('processes a 0 dB white-noise clip sample-exact with every engine (real-time factor as a diagnostic)', async (t) => {
    const seconds = clean.length / RATE;
    for (const id of ['gtcrn', 'rnnoise', 'speex']) {
      const input = noisyInput('white@0dB');
      const { result: output, realTimeFactor } = await measureRealTimeFactor(seconds, () =>
        denoiser(id).process(input, { strength: 0.95 }),
      );
      t.diagnostic(`${id}: real-time factor ${realTimeFactor.toFixed(3)} (${seconds.toFixed(1)} s of 48 kHz audio)`);
      assert.equal(output.length, input.length, id);
      assert.ok(output.every(Number.isFinite), `${id} produced non-finite samples`);
    }
  });
});
