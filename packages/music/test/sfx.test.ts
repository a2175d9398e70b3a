import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { integratedLoudness, truePeakDbtp } from '@voice/audio';
import { generateSfx, MusicRequestError, OUTPUT_SAMPLE_RATE, planSfx, SFX_KEYWORDS } from '../src';
import { rmsDb, sha256 } from './analysis';

const SR = OUTPUT_SAMPLE_RATE;

/** Energy share above `hz` (one-pole split), to check that modifiers move the spectrum. */
function highShare(samples: Float32Array, hz: number): number {
  const a = 1 - Math.exp((-2 * Math.PI * hz) / SR);
  let y = 0;
  let hi = 0;
  let all = 0;
  for (const x of samples) {
    y += a * (x - y);
    hi += (x - y) ** 2;
    all += x * x;
  }
  return hi / all;
}

describe('generateSfx', () => {
  const cases: readonly [string, string][] = [
    ['a fast whoosh transition', 'whoosh'],
    ['heavy rain on a roof', 'rain'],
    ['howling wind', 'wind'],
    ['ocean waves on the beach', 'ocean-waves'],
    ['distant thunder', 'thunder'],
    ['big explosion', 'explosion'],
    ['sci-fi laser zap', 'laser'],
    ['mouse click', 'click'],
    ['bubble pop', 'pop'],
    ['alarm beep', 'beep'],
    ['notification chime', 'chime'],
    ['applause from an audience', 'applause'],
    ['footsteps on wood', 'footsteps'],
    ['slow heartbeat', 'heartbeat'],
    ['car engine idling', 'engine'],
    ['electrical hum', 'hum'],
    ['church bell', 'bell'],
    ['door knock', 'door-knock'],
  ];
  // Sparse transients are peak-normalised: a −16 LUFS mouse click would need >20 dB of limiting.
  const impulsive = new Set(['click', 'door-knock']);
  for (const [description, effect] of cases) {
    const loudness = impulsive.has(effect) ? 'peak at −1 dBTP' : '−16 LUFS ±1, true peak ≤ −1 dBTP';
    test(`"${description}" → ${effect}: exact length, ${loudness}, audible`, async () => {
      const duration = 3;
      const out = await generateSfx({ description, duration, seed: 42 });
      assert.equal(out.metadata.effect, effect);
      assert.equal(out.metadata.method, 'parametric-synthesis');
      assert.equal(out.samples.length, duration * SR);
      const tp = truePeakDbtp(out.samples, SR);
      assert.ok(tp <= -0.9, `true peak ${tp}`);
      if (impulsive.has(effect)) {
        assert.equal(out.metadata.loudness.normalisedBy, 'true-peak');
        assert.ok(tp > -1.5, `true peak ${tp}`);
        assert.ok(rmsDb(out.samples) > -50);
      } else {
        const lufs = integratedLoudness(out.samples, SR);
        assert.ok(Math.abs(lufs + 16) <= 1, `integrated loudness ${lufs}`);
        assert.ok(rmsDb(out.samples) > -45);
      }
    });
  }

  test('the first keyword in reading order decides; plurals count', () => {
    assert.equal(planSfx('Door knocks in the rain').effect, 'door-knock');
    assert.equal(planSfx('rain, then a door knock').effect, 'rain');
    assert.equal(planSfx('WAVES').effect, 'ocean-waves');
  });

  test('same seed gives identical samples; another seed differs', async () => {
    const a = await generateSfx({ description: 'rain', duration: 2, seed: 1 });
    const b = await generateSfx({ description: 'rain', duration: 2, seed: 1 });
    const c = await generateSfx({ description: 'rain', duration: 2, seed: 2 });
    assert.equal(sha256(a.samples), sha256(b.samples));
    assert.notEqual(sha256(a.samples), sha256(c.samples));
  });

  test('"deep" and "high" move the spectrum of the same effect', async () => {
    const deep = await generateSfx({ description: 'deep bell', duration: 2, seed: 3 });
    const high = await generateSfx({ description: 'high bell', duration: 2, seed: 3 });
    assert.ok(highShare(high.samples, 500) > highShare(deep.samples, 500) * 1.5);
  });

  test('a clip too short for loudness gating is peak-normalised to the ceiling', async () => {
    const out = await generateSfx({ description: 'click', duration: 0.25, seed: 1 });
    assert.equal(out.samples.length, 0.25 * SR);
    assert.equal(out.metadata.loudness.normalisedBy, 'true-peak');
    const tp = truePeakDbtp(out.samples, SR);
    assert.ok(tp <= -0.9 && tp > -2, `true peak ${tp}`);
  });

  test('an unknown description is an InvalidRequest listing every supported keyword', async () => {
    await assert.rejects(generateSfx({ description: 'a violin concerto', duration: 2 }), (e: unknown) => {
      assert.ok(e instanceof MusicRequestError);
      assert.equal(e.code, 'InvalidRequest');
      assert.equal(e.reason, 'unknown_sfx');
      assert.deepEqual(e.supported, SFX_KEYWORDS);
      for (const k of ['whoosh', 'rain', 'thunder', 'laser', 'knock']) assert.match(e.message, new RegExp(k));
      return true;
    });
    await assert.rejects(generateSfx({ description: 'rain', duration: 61 }), /between 0.2 and 60/);
  });
});
