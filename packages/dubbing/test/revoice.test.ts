import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { arraySampleSource } from '@voice/audio';

import {
  SpeechTrack,
  backgroundGains,
  clipSafeScale,
  denoiseForBackground,
  dubLayout,
  mixRevoiced,
  scaleBlock,
  type SampleWriter,
} from '../src/index';

const RATE = 16000;

/** An in-memory SampleWriter that keeps every block. */
class MemoryWriter implements SampleWriter {
  private readonly blocks: Float32Array[] = [];
  length = 0;
  async write(block: Float32Array): Promise<void> {
    this.blocks.push(block.slice());
    this.length += block.length;
  }
  samples(): Float32Array {
    const out = new Float32Array(this.length);
    let at = 0;
    for (const block of this.blocks) {
      out.set(block, at);
      at += block.length;
    }
    return out;
  }
}

const tone = (n: number, hz: number, amplitude: number) =>
  Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));

async function* blocksOf(samples: Float32Array, size: number) {
  for (let at = 0; at < samples.length; at += size) yield samples.subarray(at, at + size);
}

describe('revoice DSP', () => {
  it('denoiseForBackground writes the denoised stream and fits the gain that best removes it', async () => {
    const speech = tone(RATE, 220, 0.4);
    const noise = tone(RATE, 3000, 0.05);
    const original = speech.map((x, i) => x + noise[i]!);
    // A "denoiser" that returns the speech at half level, one block late, then flushes the rest.
    let pending = new Float32Array(0);
    let fed = 0;
    const denoiser = {
      async push(block: Float32Array) {
        const out = pending;
        pending = speech.slice(fed, fed + block.length).map((x) => 0.5 * x);
        fed += block.length;
        return out;
      },
      async flush() {
        return pending;
      },
    };
    const enhanced = new MemoryWriter();
    const fractions: number[] = [];
    const gain = await denoiseForBackground({
      blocks: blocksOf(original, 4000),
      original: arraySampleSource(original),
      denoiser,
      enhanced,
      onProgress: (fraction) => fractions.push(fraction),
    });
    assert.equal(enhanced.length, original.length);
    assert.ok(Math.abs(gain - 2) < 0.01, `gain ${gain}`);
    assert.equal(fractions.at(-1), 1);
  });

  it('SpeechTrack places lines at their slots with silence between them, to the layout length', async () => {
    const layout = dubLayout({ sourceDurationSeconds: 3, sampleRate: RATE });
    const writer = new MemoryWriter();
    const track = new SpeechTrack(layout, writer);
    // Half-second lines at 8 kHz (resampled to the layout's rate) in exactly fitting half-second slots.
    const line = tone(4000, 200, 0.3);
    await track.place({ start: 0.5, end: 1 }, { samples: line, sampleRate: 8000 }, 2);
    await track.place({ start: 2, end: 2.5 }, { samples: line, sampleRate: 8000 }, undefined);
    await track.finish();
    assert.equal(writer.length, layout.length);
    assert.deepEqual(track.spans, [
      [0.5 * RATE, RATE],
      [2 * RATE, 2.5 * RATE],
    ]);
    const samples = writer.samples();
    assert.ok(samples.subarray(0, 0.5 * RATE).every((x) => x === 0));
    assert.ok(samples.subarray(RATE, 2 * RATE).every((x) => x === 0));
    assert.ok(samples.subarray(0.5 * RATE, RATE).some((x) => Math.abs(x) > 0.1));
  });

  it('mixRevoiced adds the speech to the ducked residual and reports the peak', async () => {
    const layout = dubLayout({ sourceDurationSeconds: 5, sampleRate: RATE });
    const n = layout.length;
    const original = tone(n, 300, 0.5);
    const enhanced = tone(n, 300, 0.2);
    const speech = new Float32Array(n);
    speech.fill(0.25, 2 * RATE, 3 * RATE);
    const spans: Array<[number, number]> = [[2 * RATE, 3 * RATE]];
    const out = new MemoryWriter();
    const { peak } = await mixRevoiced({
      speech: arraySampleSource(speech),
      original: arraySampleSource(original),
      enhanced: arraySampleSource(enhanced),
      spans,
      backgroundGain: 1,
      layout,
      out,
    });
    const mixed = out.samples();
    assert.equal(mixed.length, n);
    const gains = backgroundGains(spans, 0, n, {}, RATE);
    let expectedPeak = 0;
    for (let i = 0; i < n; i++) {
      const expected = speech[i]! + (original[i]! - enhanced[i]!) * gains[i]!;
      expectedPeak = Math.max(expectedPeak, Math.abs(expected));
      assert.ok(Math.abs(mixed[i]! - expected) < 1e-6, `sample ${i}`);
    }
    assert.ok(Math.abs(peak - expectedPeak) < 1e-6);
    // Ducked under the speech: the background there is well below its level outside.
    assert.ok(gains[2.5 * RATE]! < 0.5 * gains[0]!);
  });

  it('clipSafeScale leaves a quiet mix alone and brings a hot one just under full scale', () => {
    assert.equal(clipSafeScale(0.5), undefined);
    const scale = clipSafeScale(1.98);
    assert.ok(scale !== undefined && Math.abs(scale - 0.5) < 1e-12);
    assert.deepEqual(scaleBlock(Float32Array.of(1, -2), 0.5), Float32Array.of(0.5, -1));
  });
});
