import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { analyzeVoice, bandCentersHz } from '../src/index';
import { hzToMel } from '../src/fft';
import { sine } from './support/signals';

/** The band whose centre is nearest `hz` on the mel scale the bands are spaced on. */
function nearestBand(hz: number, centers: readonly number[]): number {
  let best = 0;
  for (let b = 1; b < centers.length; b++) {
    if (Math.abs(hzToMel(centers[b]!) - hzToMel(hz)) < Math.abs(hzToMel(centers[best]!) - hzToMel(hz))) best = b;
  }
  return best;
}

// The web app plots `bandEnergiesDb` against `bandCentersHz` as the voice's long-term average spectrum; this
// checks the plot would put a tone where it is.
describe('long-term spectrum bands', () => {
  it('has 24 ascending band centres between 50 Hz and 8 kHz', () => {
    const centers = bandCentersHz();
    assert.equal(centers.length, 24);
    for (let b = 1; b < centers.length; b++) assert.ok(centers[b]! > centers[b - 1]!);
    assert.ok(centers[0]! > 50 && centers.at(-1)! < 8000, `${centers[0]}…${centers.at(-1)}`);
  });

  it("peaks in a tone's band, for low, middle and high tones at 16 and 44.1 kHz", () => {
    const centers = bandCentersHz();
    for (const rate of [16000, 44100]) {
      for (const hz of [180, 1000, 3200]) {
        const bands = analyzeVoice(sine(hz, rate, 1.5), rate).spectral.bandEnergiesDb;
        const peak = bands.indexOf(Math.max(...bands));
        assert.equal(
          peak,
          nearestBand(hz, centers),
          `${hz} Hz at ${rate} Hz: peak in band ${peak} (${centers[peak]} Hz)`,
        );
        // A pure tone leaves the far bands far below its own: the plot shows one clear peak, not a flat line.
        const far = bands.filter((_, b) => Math.abs(b - peak) > 3);
        assert.ok(Math.max(...far) < bands[peak]! - 20, `${hz} Hz: far bands within 20 dB of the peak`);
      }
    }
  });
});
