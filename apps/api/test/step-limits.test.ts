import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_MUSIC_SECONDS,
  MAX_SFX_SECONDS,
  MAX_TEMPO,
  MIN_MUSIC_SECONDS,
  MIN_SFX_SECONDS,
  MIN_TEMPO,
} from '@voice/music';
import { MUSIC_LIMITS, SFX_LIMITS } from '@voice/shared';

// The step modules stay free of the engine (workflows import them), so they state its limits; keep them equal.
test('the generator steps accept exactly the ranges the music engine renders', () => {
  assert.deepEqual(MUSIC_LIMITS, {
    minSeconds: MIN_MUSIC_SECONDS,
    maxSeconds: MAX_MUSIC_SECONDS,
    minTempo: MIN_TEMPO,
    maxTempo: MAX_TEMPO,
  });
  assert.deepEqual(SFX_LIMITS, { minSeconds: MIN_SFX_SECONDS, maxSeconds: MAX_SFX_SECONDS });
});
