import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { integratedLoudness, truePeakDbtp } from '@voice/audio';
import { generateMusic, MusicRequestError, OUTPUT_SAMPLE_RATE, type Genre } from '../src';
import { chroma, detectKey, detectTriad, estimateTempo, rmsDb, sameKeySignature, sha256 } from './analysis';

const SR = OUTPUT_SAMPLE_RATE;

describe('generateMusic', () => {
  for (const genre of [
    'lofi',
    'rock',
    'ambient',
    'cinematic',
    'electronic',
    'acoustic',
    'corporate',
  ] as const satisfies readonly Genre[]) {
    test(`${genre}: exact length, −14 LUFS ±1, true peak ≤ −1 dBTP, audible`, async (t) => {
      const duration = 7.5;
      const started = performance.now();
      const out = await generateMusic({ genre, duration, seed: 11 });
      const seconds = (performance.now() - started) / 1000;
      t.diagnostic(
        `${genre}: ${out.metadata.key} ${out.metadata.tempo} BPM, RTF ${(seconds / duration).toFixed(3)}, ${out.metadata.instruments.join(' / ')}`,
      );
      assert.equal(out.sampleRate, SR);
      assert.ok(Math.abs(out.samples.length - duration * SR) <= duration * SR * 0.005);
      assert.equal(out.samples.length, duration * SR);
      const lufs = integratedLoudness(out.samples, SR);
      assert.ok(Math.abs(lufs + 14) <= 1, `integrated loudness ${lufs}`);
      assert.ok(truePeakDbtp(out.samples, SR) <= -0.9);
      assert.ok(rmsDb(out.samples) > -40);
      assert.equal(out.metadata.method, 'procedural-soundfont');
      assert.equal(out.metadata.genre, genre);
      // The closing fade ends in silence rather than a cut.
      assert.ok(Math.abs(out.samples[out.samples.length - 1] ?? 1) < 1e-3);
    });
  }

  test('same seed and parameters give bit-identical samples; another seed gives different music', async () => {
    const request = { genre: 'lofi', duration: 5, parameters: { tempo: 84, key: 'A minor' } };
    const a = await generateMusic({ ...request, seed: 1 });
    const b = await generateMusic({ ...request, seed: 1 });
    const c = await generateMusic({ ...request, seed: 2 });
    assert.equal(sha256(a.samples), sha256(b.samples));
    assert.notEqual(sha256(a.samples), sha256(c.samples));
    assert.deepEqual(a.metadata, b.metadata);
  });

  test('the requested tempo is the tempo heard (onset autocorrelation within 5%)', async () => {
    for (const tempo of [100, 150]) {
      const out = await generateMusic({
        genre: 'electronic',
        duration: 12,
        seed: 5,
        parameters: { tempo, key: 'C minor' },
      });
      const heard = estimateTempo(out.samples.subarray(0, 10 * SR), SR, 80, 170);
      assert.ok(Math.abs(heard - tempo) / tempo <= 0.05, `asked ${tempo} BPM, heard ${heard.toFixed(1)}`);
    }
  });

  test('the requested key is the key heard: scale by key profile, tonic by the closing chord', async () => {
    for (const [key, tonic, mode] of [
      ['D major', 2, 'major'],
      ['F# minor', 6, 'minor'],
      ['Bb major', 10, 'major'],
    ] as const) {
      const out = await generateMusic({ genre: 'ambient', duration: 10, seed: 3, parameters: { key, tempo: 66 } });
      assert.equal(out.metadata.key, key);
      // Whole piece: the pitch-class set is the key's (relative major/minor are indistinguishable here).
      const global = detectKey(chroma(out.samples, SR));
      assert.ok(
        sameKeySignature(global, { tonic, mode }),
        `asked ${key}, key profile says ${global.tonic} ${global.mode}`,
      );
      // The piece resolves onto its tonic triad in the closing fade.
      const ending = out.samples.subarray(out.samples.length - Math.round(1.2 * SR));
      assert.deepEqual(detectTriad(chroma(ending, SR)), { root: tonic, mode }, `asked ${key}`);
    }
  });

  test('a one-second piece is exactly one second long', async () => {
    const out = await generateMusic({ genre: 'corporate', duration: 1, seed: 9 });
    assert.equal(out.samples.length, SR);
    assert.ok(rmsDb(out.samples) > -40);
  });

  test('reports progress up to 1 and stops when aborted', async () => {
    const seen: number[] = [];
    await generateMusic({ genre: 'acoustic', duration: 3, seed: 4 }, { onProgress: (f) => seen.push(f) });
    assert.ok(seen.length >= 3);
    assert.equal(seen.at(-1), 1);
    assert.ok(seen.every((f, i) => i === 0 || f >= (seen[i - 1] ?? 0)));

    const controller = new AbortController();
    const aborted = generateMusic(
      { genre: 'rock', duration: 30, seed: 4 },
      {
        signal: controller.signal,
        onProgress: (f) => {
          if (f > 0.1) controller.abort(new Error('cancelled by test'));
        },
      },
    );
    await assert.rejects(aborted, /cancelled by test/);
  });

  test('rejects unknown genres, bad keys, tempos, durations and seeds with InvalidRequest', async () => {
    await assert.rejects(generateMusic({ genre: 'polka', duration: 5 }), (e: unknown) => {
      assert.ok(e instanceof MusicRequestError);
      assert.equal(e.code, 'InvalidRequest');
      assert.equal(e.reason, 'unknown_genre');
      assert.match(e.message, /lofi/);
      return true;
    });
    await assert.rejects(generateMusic({ genre: 'rock', duration: 5, parameters: { key: 'H major' } }), /Invalid key/);
    await assert.rejects(
      generateMusic({ genre: 'rock', duration: 5, parameters: { tempo: 400 } }),
      /Tempo must be between 40 and 240/,
    );
    await assert.rejects(generateMusic({ genre: 'rock', duration: 301 }), /between 1 and 300/);
    await assert.rejects(generateMusic({ genre: 'rock', duration: 5, seed: 1.5 }), /Seed must be an integer/);
  });
});
