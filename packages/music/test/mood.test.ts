import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { integratedLoudness, truePeakDbtp } from '@voice/audio';
import { generateMoodMusic, MOODS, MusicRequestError, OUTPUT_SAMPLE_RATE, PLATFORM_PRESETS } from '../src';
import { rmsDb, sha256 } from './analysis';

const SR = OUTPUT_SAMPLE_RATE;

describe('generateMoodMusic', () => {
  test('platform presets: −14 LUFS social/video, −16 LUFS podcast, −1 dBTP, length limits', () => {
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(PLATFORM_PRESETS).map(([k, p]) => [
          k,
          [p.targetLufs, p.truePeakCeilingDbtp, p.maxDurationSeconds],
        ]),
      ),
      { instagram: [-14, -1, 90], tiktok: [-14, -1, 60], youtube: [-14, -1, 300], podcast: [-16, -1, 300] },
    );
  });

  for (const [mood, platform, target] of [
    ['calm', 'podcast', -16],
    ['energetic', 'tiktok', -14],
    ['sad', 'instagram', -14],
    ['tense', 'youtube', -14],
  ] as const) {
    test(`${mood} for ${platform}: exact length, ${target} LUFS ±1, true peak ≤ −1 dBTP`, async () => {
      const out = await generateMoodMusic({ mood, platform, duration: 6, seed: 8 });
      assert.equal(out.samples.length, 6 * SR);
      const lufs = integratedLoudness(out.samples, SR);
      assert.ok(Math.abs(lufs - target) <= 1, `integrated loudness ${lufs}`);
      assert.ok(truePeakDbtp(out.samples, SR) <= -0.9);
      assert.ok(rmsDb(out.samples) > -45);
      assert.equal(out.metadata.mood, mood);
      assert.equal(out.metadata.platform, platform);
    });
  }

  test('moods differ: a sad piece is slower and in minor, a happy one faster and in major', async () => {
    const sad = await generateMoodMusic({ mood: 'sad', platform: 'youtube', duration: 3, seed: 1 });
    const happy = await generateMoodMusic({ mood: 'happy', platform: 'youtube', duration: 3, seed: 1 });
    assert.match(sad.metadata.key, /minor/);
    assert.match(happy.metadata.key, /major/);
    assert.ok(sad.metadata.tempo < happy.metadata.tempo);
    assert.notEqual(sha256(sad.samples), sha256(happy.samples));
    assert.ok(MOODS.length >= 8);
  });

  test('a duration over the platform limit is an InvalidRequest naming the limit', async () => {
    await assert.rejects(generateMoodMusic({ mood: 'happy', platform: 'tiktok', duration: 61 }), (e: unknown) => {
      assert.ok(e instanceof MusicRequestError);
      assert.equal(e.code, 'InvalidRequest');
      assert.equal(e.reason, 'duration_exceeds_platform_limit');
      assert.match(e.message, /tiktok limit of 60 s/);
      return true;
    });
    await assert.rejects(
      generateMoodMusic({ mood: 'happy', platform: 'instagram', duration: 91 }),
      /instagram limit of 90 s/,
    );
    await assert.rejects(
      generateMoodMusic({ mood: 'grumpy', platform: 'youtube', duration: 5 }),
      /Unknown mood "grumpy"/,
    );
    await assert.rejects(
      generateMoodMusic({ mood: 'happy', platform: 'myspace', duration: 5 }),
      /Supported: instagram, tiktok, youtube, podcast/,
    );
  });
});
