import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getModel, isInstalled, resolveModelFile, type ModelLocation, type ModelManifest } from '@voice/models';
import type { NoiseLevel } from '@voice/shared';
import {
  findLag,
  measureRealTimeFactor,
  measureSnrDb,
  mixAtSnr,
  pinkNoise,
  speechToNoiseRatioDb,
  synthesizeSpeech,
  whiteNoise,
} from '@voice/testkit';
import { UnsupportedModelError, loadDenoiser, strengthForNoiseLevel, type Denoiser } from '../src';
import { assertAbortsMidStream, assertProgressEndsAtOne } from './support/denoiser-contract';

const RATE = 48000;
const TEXT = 'The quick brown fox jumps over the lazy dog. Clear speech should survive noise removal.';
type NoiseKind = 'white' | 'pink';
type Condition = `${NoiseKind}@${0 | 5}dB`;
const CONDITIONS: readonly Condition[] = ['white@0dB', 'white@5dB', 'pink@0dB', 'pink@5dB'];

// Same place the models CLI installs to (it also honours MODELS_DIR).
const location: ModelLocation = { modelsDir: process.env.MODELS_DIR || undefined };

function model(id: string): ModelManifest {
  const m = getModel(id);
  assert.ok(m, `model ${id} missing from the registry`);
  return m;
}

// Locally a missing install is a skip with instructions; in CI the model must be there, so the specs run and fail.
const skip =
  !isInstalled(model('deepfilternet3'), location) && !process.env.CI
    ? 'deepfilternet3 is not installed: run `npm run models -- install --only deepfilternet3` (required when CI is set)'
    : false;

/**
 * Lower bounds at noise_level "moderate", ~1 dB under what this deterministic fixture measured
 * (measureSnrDb gain 16.2 / 13.8 / 11.0 / 9.6 dB; speech-to-noise gain 25.3 / 25.0 / 18.5 / 16.8 dB).
 * Moderate's wet/dry floor caps the speech-to-noise gain near 26 dB, so those floors sit just under it on white noise.
 */
const MIN_SNR_GAIN_DB: Record<Condition, number> = {
  'white@0dB': 15.2,
  'white@5dB': 12.8,
  'pink@0dB': 10,
  'pink@5dB': 8.6,
};
const MIN_STNR_GAIN_DB: Record<Condition, number> = {
  'white@0dB': 24.3,
  'white@5dB': 24,
  'pink@0dB': 17.5,
  'pink@5dB': 15.8,
};

describe('deepfilternet3 denoise engine', { skip }, () => {
  let clean: Float32Array;
  const noisy = new Map<Condition, Float32Array>();
  let dfn: Denoiser;
  let gtcrn: Denoiser;
  const outputs = new Map<string, Promise<Float32Array>>();
  const metrics = new Map<Float32Array, { snr: number; stnr: number }>();

  function noisyInput(condition: Condition): Float32Array {
    const x = noisy.get(condition);
    assert.ok(x);
    return x;
  }

  function denoised(d: Denoiser, level: NoiseLevel, condition: Condition): Promise<Float32Array> {
    const key = `${d.modelId}/${level}/${condition}`;
    let out = outputs.get(key);
    if (!out) {
      out = d.process(noisyInput(condition), { strength: strengthForNoiseLevel(level) });
      outputs.set(key, out);
    }
    return out;
  }

  // Both metrics align by FFT over ~0.26 M samples: compute each signal's once.
  function measure(signal: Float32Array): { snr: number; stnr: number } {
    let m = metrics.get(signal);
    if (!m) {
      m = { snr: measureSnrDb(clean, signal), stnr: speechToNoiseRatioDb(clean, signal) };
      metrics.set(signal, m);
    }
    return m;
  }

  function gains(condition: Condition, output: Float32Array): { snr: number; stnr: number } {
    const before = measure(noisyInput(condition));
    const after = measure(output);
    return { snr: after.snr - before.snr, stnr: after.stnr - before.stnr };
  }

  before(async () => {
    const speech = await synthesizeSpeech(TEXT, { voice: 'slt', sampleRate: RATE });
    // Peak at -10 dBFS so the 0 dB mixes stay inside -1..1; the same fixture as the wasm engines' tests.
    const peak = speech.samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    clean = speech.samples.map((s) => (s * 0.3) / peak);
    for (const condition of CONDITIONS) {
      const [kind, snr] = condition.split('@') as [NoiseKind, string];
      const noise = (kind === 'white' ? whiteNoise : pinkNoise)(clean.length, 0.1, kind === 'white' ? 11 : 12);
      noisy.set(condition, mixAtSnr(clean, noise, Number.parseInt(snr, 10), { sampleRate: RATE }));
    }
    dfn = await loadDenoiser(model('deepfilternet3'), location);
    gtcrn = await loadDenoiser(model('gtcrn'), location);
  });

  it('improves SNR and speech-to-noise ratio at moderate on white and pink noise at 0 and 5 dB', async (t) => {
    for (const condition of CONDITIONS) {
      const g = gains(condition, await denoised(dfn, 'moderate', condition));
      t.diagnostic(
        `deepfilternet3 moderate ${condition}: SNR +${g.snr.toFixed(1)} dB, speech/noise +${g.stnr.toFixed(1)} dB`,
      );
      assert.ok(g.snr >= MIN_SNR_GAIN_DB[condition], `${condition}: SNR +${g.snr.toFixed(1)} dB`);
      assert.ok(g.stnr >= MIN_STNR_GAIN_DB[condition], `${condition}: speech/noise +${g.stnr.toFixed(1)} dB`);
    }
  });

  it('beats gtcrn on mean SNR gain across the four conditions (reports every metric side by side)', async (t) => {
    let dfnSum = 0;
    let gtcrnSum = 0;
    for (const level of ['moderate', 'aggressive'] as const) {
      for (const condition of CONDITIONS) {
        const d = gains(condition, await denoised(dfn, level, condition));
        const g = gains(condition, await denoised(gtcrn, level, condition));
        t.diagnostic(
          `${level} ${condition}: SNR dfn +${d.snr.toFixed(1)} / gtcrn +${g.snr.toFixed(1)} dB; ` +
            `speech/noise dfn +${d.stnr.toFixed(1)} / gtcrn +${g.stnr.toFixed(1)} dB`,
        );
        if (level === 'moderate') {
          dfnSum += d.snr;
          gtcrnSum += g.snr;
        }
      }
    }
    // Measured 12.7 vs 11.4 dB: the margin comes from pink noise, where DFN's deep filter keeps low harmonics.
    const [dMean, gMean] = [dfnSum / CONDITIONS.length, gtcrnSum / CONDITIONS.length];
    assert.ok(dMean > gMean + 0.5, `mean SNR gain deepfilternet3 ${dMean.toFixed(1)} vs gtcrn ${gMean.toFixed(1)} dB`);
  });

  it('removes more noise at aggressive than moderate, and at moderate than light (strength applies)', async (t) => {
    const levels = ['light', 'moderate', 'aggressive'] as const;
    const stnr: number[] = [];
    for (const level of levels) stnr.push(gains('white@0dB', await denoised(dfn, level, 'white@0dB')).stnr);
    t.diagnostic(
      `white@0dB speech/noise gain light/moderate/aggressive: ${stnr.map((v) => v.toFixed(1)).join(' / ')} dB`,
    );
    const [light, moderate, aggressive] = stnr as [number, number, number];
    // light's wet/dry floor is 10.5 dB of attenuation, moderate's 26 dB; measured 10.1 / 25.3 / 42.9.
    assert.ok(light > 8 && light < 11.5, `light +${light.toFixed(1)} dB`);
    assert.ok(moderate >= light + 10, 'moderate removes ≥ 10 dB more than light');
    assert.ok(aggressive >= moderate + 10, 'aggressive removes ≥ 10 dB more than moderate');
  });

  it('returns output of the same length, time-aligned with the input within ±2 samples', async () => {
    const out = await dfn.process(clean, { strength: 1 });
    assert.equal(out.length, clean.length);
    const lag = findLag(clean, out, 2400);
    assert.ok(Math.abs(lag) <= 2, `output lags by ${lag} samples`);
    // Not a multiple of the 480-sample frame, including shorter than one frame and than the 1440-sample delay.
    for (const n of [1, 479, 1500, 12345]) {
      assert.equal((await dfn.process(clean.subarray(0, n), { strength: 1 })).length, n);
    }
  });

  it('keeps each call’s native state separate: concurrent calls equal a sequential one', async () => {
    const input = noisyInput('pink@0dB').subarray(0, RATE);
    const [a, b] = await Promise.all([dfn.process(input, { strength: 1 }), dfn.process(input, { strength: 1 })]);
    const alone = await dfn.process(input, { strength: 1 });
    assert.deepEqual(a, alone);
    assert.deepEqual(b, alone);
  });

  it('reports strictly increasing progress that ends at exactly 1', async () => {
    await assertProgressEndsAtOne(dfn, noisyInput('white@0dB').subarray(0, RATE));
  });

  it('rejects with the abort reason within 1 s of an abort mid-stream, and stays usable', async () => {
    // ~30 s of audio: seconds of DFN work, so the abort lands mid-stream.
    await assertAbortsMidStream(dfn, 30);
  });

  it('rejects an abort that arrives while the native state is being created, without streaming', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const run = dfn.process(noisyInput('white@5dB'), {
      strength: 1,
      signal: controller.signal,
      onProgress: (f) => progress.push(f),
    });
    // df_create runs on koffi's worker thread for hundreds of ms; this timer fires during it.
    setTimeout(() => controller.abort(), 0);
    await assert.rejects(run, { name: 'AbortError' });
    assert.deepEqual(progress, []);
    await assert.rejects(dfn.process(clean, { strength: 1, signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  describe('with broken installs', () => {
    let root: string;
    before(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'dfn-'));
    });
    after(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('refuses a missing install with the command that fixes it', async () => {
      await assert.rejects(
        loadDenoiser(model('deepfilternet3'), { root: path.join(root, 'absent') }),
        (error: unknown) =>
          error instanceof UnsupportedModelError && error.message.includes('install --only deepfilternet3'),
      );
    });

    it('refuses a same-size corrupt archive instead of letting df_create abort the process', async () => {
      const m = model('deepfilternet3');
      const copy = path.join(root, 'corrupt');
      const archiveFile = m.files.find((f) => f.path.endsWith('.tar.gz'));
      const library = m.files.find((f) => f.path.endsWith('.so'))?.path;
      assert.ok(archiveFile && library);
      const archive = archiveFile.path;
      await mkdir(path.dirname(path.join(copy, archive)), { recursive: true });
      await mkdir(path.dirname(path.join(copy, library)), { recursive: true });
      await symlink(resolveModelFile(m, library, location), path.join(copy, library));
      await writeFile(path.join(copy, archive), '');
      await truncate(path.join(copy, archive), archiveFile.bytes);
      await assert.rejects(
        loadDenoiser(m, { root: copy }),
        (error: unknown) => error instanceof UnsupportedModelError && /corrupt/.test(error.message),
      );
    });
  });

  // Speed is measured by `npm run bench` (each model's real-time factor), not asserted here: a timed bound
  // only measures how loaded the machine is. The diagnostic is for whoever reads the test log.
  it('processes a 0 dB white-noise clip sample-exact, next to gtcrn (real-time factor as a diagnostic)', async (t) => {
    const seconds = clean.length / RATE;
    for (const d of [dfn, gtcrn]) {
      const input = noisyInput('white@0dB');
      const { result: output, realTimeFactor } = await measureRealTimeFactor(seconds, () =>
        d.process(input, { strength: 0.95 }),
      );
      t.diagnostic(`${d.modelId}: real-time factor ${realTimeFactor.toFixed(3)} (${seconds.toFixed(1)} s)`);
      assert.equal(output.length, input.length, d.modelId);
      assert.ok(output.every(Number.isFinite), `${d.modelId} produced non-finite samples`);
    }
  });
});
