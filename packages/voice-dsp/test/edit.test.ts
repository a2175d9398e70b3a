import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { WavFileReader, arraySampleSource, encodeWav } from '@voice/audio';

import {
  FrameLevelMeter,
  VoiceDspError,
  applyEdits,
  muteRanges,
  planMute,
  planRemoveRange,
  planSplice,
  planTrimSilence,
  remapTime,
  removeRange,
  renderEdit,
  renderEditToArray,
  trimSilence,
  type EditPlan,
} from '../src/index';
import { SENTENCE_A, SENTENCE_B, concat, rmsOf, roomTone, sine, speech, toneFraction } from './support/signals';

const RATE = 16000;

/** Index of the best match of `needle` inside `hay` (brute force over a small window). */
function locate(hay: Float32Array, needle: Float32Array, from: number, to: number): number {
  let best = from;
  let bestScore = -Infinity;
  for (let p = Math.max(0, from); p <= Math.min(hay.length - needle.length, to); p++) {
    let dot = 0;
    for (let i = 0; i < needle.length; i++) dot += hay[p + i]! * needle[i]!;
    if (dot > bestScore) {
      bestScore = dot;
      best = p;
    }
  }
  return best;
}

describe('removeRange', () => {
  it('shortens speech by exactly the cut length and leaves the audio after the cut intact', async () => {
    const { samples } = await speech(SENTENCE_A, 'kal16');
    const result = removeRange(samples, RATE, { startTime: 1.0, endTime: 1.75 });
    assert.equal(result.samples.length, samples.length - 0.75 * RATE);
    // Past the crossfade, output is the original shifted by the cut.
    const after = 1.75 * RATE + 400;
    for (let i = 0; i < 2000; i++) assert.equal(result.samples[after - 0.75 * RATE + i], samples[after + i]);
    const before = 0.9 * RATE;
    for (let i = 0; i < 1000; i++) assert.equal(result.samples[before + i], samples[before + i]);
    assert.deepEqual(
      result.timeMap.map((s) => [s.originalStart, s.originalEnd, s.newStart]),
      [
        [0, 1, 0],
        [1.75, samples.length / RATE, 1],
      ],
    );
  });

  it('joins a continuous tone without a click: the crossfade stays within the equal-power bound', () => {
    // Cutting a whole number of periods keeps both sides in phase, so only the √2 equal-power bump remains.
    const x = sine(250, RATE, 1, 0.5);
    const { samples } = removeRange(x, RATE, { startTime: 0.2, endTime: 0.6, crossfadeMs: 10 });
    assert.equal(samples.length, x.length - 0.4 * RATE);
    let maxStep = 0;
    let peak = 0;
    for (let i = 1; i < samples.length; i++) {
      maxStep = Math.max(maxStep, Math.abs(samples[i]! - samples[i - 1]!));
      peak = Math.max(peak, Math.abs(samples[i]!));
    }
    // A 250 Hz sine at 0.5 moves at most 2π·250/16000·0.5 ≈ 0.049 per sample; √2 louder at worst.
    assert.ok(maxStep < 0.07, `largest step ${maxStep}`);
    assert.ok(peak <= 0.5 * Math.SQRT2 + 1e-6, `peak ${peak}`);
  });

  it('cuts at the very start or end without a crossfade partner', () => {
    const x = sine(300, RATE, 1);
    assert.equal(removeRange(x, RATE, { startTime: 0, endTime: 0.3 }).samples.length, 0.7 * RATE);
    assert.equal(removeRange(x, RATE, { startTime: 0.5, endTime: 1 }).samples.length, 0.5 * RATE);
  });

  it('rejects reversed, out-of-clip and whole-clip ranges with clear messages', () => {
    const x = sine(300, RATE, 1);
    const expectCode = (fn: () => unknown, pattern: RegExp): void =>
      assert.throws(
        fn,
        (e: unknown) => e instanceof VoiceDspError && e.code === 'INVALID_RANGE' && pattern.test(e.message),
      );
    expectCode(() => removeRange(x, RATE, { startTime: 0.5, endTime: 0.4 }), /must be after startTime/);
    expectCode(() => removeRange(x, RATE, { startTime: -0.1, endTime: 0.4 }), /negative/);
    expectCode(() => removeRange(x, RATE, { startTime: 0.5, endTime: 1.5 }), /past the end of the clip \(1\.000s\)/);
    expectCode(() => removeRange(x, RATE, { startTime: 0, endTime: 1 }), /whole clip/);
    assert.throws(() => removeRange(x, RATE, { startTime: Number.NaN, endTime: 0.4 }), /finite/);
  });
});

describe('muteRanges', () => {
  it('silences a range, leaves everything outside untouched and keeps the length', async () => {
    const { samples } = await speech(SENTENCE_A, 'kal16');
    const out = muteRanges(samples, RATE, [{ start: 1.0, end: 1.4 }]);
    assert.equal(out.length, samples.length);
    assert.ok(rmsOf(samples, 1.0 * RATE, 1.4 * RATE) > 0.01, 'fixture has speech in the range');
    // Inside, past the 5 ms fades, nothing of the original is left.
    assert.equal(rmsOf(out, Math.round(1.005 * RATE), Math.round(1.395 * RATE)), 0);
    for (const i of [0, 1000, Math.round(0.999 * RATE), Math.round(1.401 * RATE), samples.length - 1])
      assert.equal(out[i], samples[i]);
  });

  it('bleeps at the requested frequency and at the loudness of what it replaces', async () => {
    const { samples } = await speech(SENTENCE_A, 'slt');
    const from = 1.2 * RATE;
    const to = 1.6 * RATE;
    const out = muteRanges(samples, RATE, [{ start: 1.2, end: 1.6 }], { mode: 'bleep', bleepHz: 1000 });
    const ratioDb = 20 * Math.log10(rmsOf(out, from, to) / rmsOf(samples, from, to));
    assert.ok(Math.abs(ratioDb) < 1, `bleep level differs by ${ratioDb.toFixed(2)} dB`);
    assert.ok(toneFraction(out, RATE, 1000, from + 160, to - 160) > 0.95, 'range is a 1 kHz tone');
    assert.ok(toneFraction(samples, RATE, 1000, from + 160, to - 160) < 0.5, 'original was not');
  });

  it('merges overlapping ranges and clamps ranges that run past the clip', () => {
    const x = sine(300, RATE, 1);
    const out = muteRanges(x, RATE, [
      { start: 0.9, end: 1.2 },
      { start: 0.1, end: 0.3 },
      { start: 0.25, end: 0.4 },
    ]);
    assert.equal(out.length, x.length);
    assert.equal(rmsOf(out, 0.11 * RATE, 0.39 * RATE), 0);
    assert.equal(rmsOf(out, 0.91 * RATE, RATE), 0);
    assert.ok(rmsOf(out, 0.45 * RATE, 0.85 * RATE) > 0.3);
  });
});

describe('trimSilence', () => {
  it('trims edges, shortens a long pause and maps original times onto the new timeline', async () => {
    const a = (await speech(SENTENCE_A, 'kal16')).samples;
    const b = (await speech(SENTENCE_B, 'kal16')).samples;
    // flite pads its own output with a little silence; the room tone is the quiet floor around it.
    const lead = roomTone(RATE, 0.8, -70, 1);
    const pause = roomTone(RATE, 1.5, -70, 2);
    const tail = roomTone(RATE, 0.8, -70, 3);
    const input = concat(lead, a, pause, b, tail);
    const { samples, timeMap } = trimSilence(input, RATE, { minSilenceMs: 300, keepMs: 150 });
    const removedSeconds = (input.length - samples.length) / RATE;
    // At least the 0.8 s edges minus 75 ms each and the 1.5 s pause minus 150 ms must go.
    assert.ok(removedSeconds > 2 * 0.725 + 1.35 - 0.05, `removed ${removedSeconds.toFixed(3)} s`);
    assert.ok(removedSeconds < 2 * 0.8 + 1.5 + 1.0, `removed too much: ${removedSeconds.toFixed(3)} s`);

    // A chunk of the second sentence is found where the time map says it went.
    const probe = Math.round((0.8 + a.length / RATE + 1.5 + 1.0) * RATE);
    const needle = input.subarray(probe, probe + 1600);
    const predicted = Math.round(remapTime(timeMap, probe / RATE) * RATE);
    const found = locate(samples, needle, predicted - 800, predicted + 800);
    assert.ok(Math.abs(found - predicted) <= 1, `found at ${found}, map says ${predicted}`);
    // Speech energy is preserved: nothing loud was cut.
    assert.ok(
      Math.abs(20 * Math.log10(rmsOf(samples) / rmsOf(input)) - 10 * Math.log10(input.length / samples.length)) < 0.3,
    );
  });

  it('returns a short clip for all-silent input instead of failing', () => {
    const { samples } = trimSilence(new Float32Array(RATE * 2), RATE);
    assert.equal(samples.length, 0.15 * RATE);
  });
});

describe('applyEdits', () => {
  it('applies operations in order and composes their time maps', async () => {
    const a = (await speech(SENTENCE_A, 'kal16')).samples;
    const input = concat(roomTone(RATE, 1, -70, 4), a);
    const { samples, timeMap } = applyEdits(input, RATE, [
      { type: 'trim_silence' },
      { type: 'remove_range', startTime: 0.5, endTime: 1.0 },
      { type: 'mute_ranges', ranges: [{ start: 0.2, end: 0.3 }], mode: 'silence' },
    ]);
    const trimmed = trimSilence(input, RATE);
    assert.equal(samples.length, trimmed.samples.length - 0.5 * RATE);
    // A late instant of the original: shifted by the trimmed lead-in and then by the 0.5 s cut.
    const t = 1 + 3.0;
    const expected = remapTime(trimmed.timeMap, t) - 0.5;
    assert.ok(Math.abs(remapTime(timeMap, t) - expected) < 1e-9);
    assert.equal(rmsOf(samples, 0.21 * RATE, 0.29 * RATE), 0);
  });
});

describe('streamed edits', () => {
  it('render from a WAV file, block by block, exactly what the in-memory edit produces', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edit-stream-'));
    try {
      const a = (await speech(SENTENCE_A, 'kal16')).samples;
      const input = concat(roomTone(RATE, 0.7, -70, 5), a, roomTone(RATE, 0.9, -70, 6), a);
      const file = path.join(dir, 'in.wav');
      writeFileSync(file, encodeWav(input, RATE, { format: 'float32' }));
      const reader = await WavFileReader.open(file);
      try {
        const inMemory = arraySampleSource(input);
        const meter = new FrameLevelMeter(RATE);
        // Odd block sizes put block edges inside frames, fades and muted ranges.
        for (let i = 0; i < input.length; i += 1001) meter.push(input.subarray(i, i + 1001));
        const plans: Array<[string, EditPlan]> = [
          ['remove', planRemoveRange(input.length, RATE, { startTime: 1.0, endTime: 1.75 })],
          // A one-sample gap: the fade-out and fade-in windows overlap.
          [
            'tiny gap',
            planSplice(
              input.length,
              [
                [0, 20_000],
                [20_001, input.length],
              ],
              160,
            ),
          ],
          ['trim', planTrimSilence(meter.result(), RATE)],
          [
            'bleep',
            planMute(
              reader,
              RATE,
              [
                { start: 0.9, end: 1.3 },
                { start: 2.0, end: 2.05 },
              ],
              { mode: 'bleep' },
            ),
          ],
        ];
        for (const [name, plan] of plans) {
          const expected = renderEditToArray(inMemory, plan);
          const blocks = [...renderEdit(reader, plan, 97)];
          assert.ok(
            blocks.every((block) => block.length <= 2 * 97 + 480),
            `${name}: a block exceeded its bound`,
          );
          const streamed = new Float32Array(blocks.reduce((n, block) => n + block.length, 0));
          let offset = 0;
          for (const block of blocks) {
            streamed.set(block, offset);
            offset += block.length;
          }
          assert.equal(streamed.length, plan.outputLength, name);
          assert.deepEqual(streamed, expected, name);
        }
        // The plans built from the stream match the whole-array functions.
        assert.deepEqual(renderEditToArray(inMemory, plans[2]![1]), trimSilence(input, RATE).samples);
        assert.deepEqual(
          renderEditToArray(inMemory, plans[0]![1]),
          removeRange(input, RATE, { startTime: 1.0, endTime: 1.75 }).samples,
        );
      } finally {
        await reader.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
