import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { analyzeVoice } from '@voice/voice-dsp';
import { pinkNoise, rms, synthesizeSpeech } from '@voice/testkit';

import { DubbingError, assembleDub, backgroundGains, dubLayout, placeSegment, segmentOrder } from '../src/index';

const RATE = 16000;

/** Drops leading/trailing samples under −40 dB of the peak, so lengths measure speech, not padding. */
function trimEdges(x: Float32Array): Float32Array {
  const [first, last] = activeSpan(x);
  return x.slice(first, last + 1);
}

/** First and last sample index whose 10 ms RMS is within 40 dB of the loudest. */
function activeSpan(x: Float32Array, from = 0, to = x.length): [number, number] {
  const win = Math.round(0.01 * RATE);
  const levels: number[] = [];
  for (let i = from; i + win <= to; i += win) levels.push(rms(x.subarray(i, i + win)));
  const threshold = Math.max(...levels) * 0.01;
  const firstBlock = levels.findIndex((l) => l > threshold);
  const lastBlock = levels.length - 1 - [...levels].reverse().findIndex((l) => l > threshold);
  return [from + firstBlock * win, from + (lastBlock + 1) * win - 1];
}

const seconds = (samples: number): number => samples / RATE;
const region = (x: Float32Array, start: number, end: number): Float32Array =>
  x.subarray(Math.round(start * RATE), Math.round(end * RATE));
const db = (ratio: number): number => 20 * Math.log10(ratio);

describe('assembleDub', () => {
  let speech: Float32Array;
  let short: Float32Array;
  before(async () => {
    speech = trimEdges(
      (await synthesizeSpeech('Please call Stella and ask her to bring these things with her.', { sampleRate: RATE }))
        .samples,
    );
    short = trimEdges((await synthesizeSpeech('Hello there.', { sampleRate: RATE })).samples);
  });

  it('returns exactly round(duration × rate) samples, even for fractional durations', () => {
    for (const duration of [3.33337, 7.00001, 1.99995]) {
      const result = assembleDub({
        sourceDurationSeconds: duration,
        sampleRate: RATE,
        segments: [{ start: 0.5, end: 1.5, audio: short }],
      });
      assert.equal(result.samples.length, Math.round(duration * RATE));
    }
  });

  it('time-compresses speech longer than its slot to fit it, keeping the pitch', () => {
    const slot = 0.7 * seconds(speech.length);
    const result = assembleDub({
      sourceDurationSeconds: slot + 3,
      sampleRate: RATE,
      segments: [{ start: 1, end: 1 + slot, audio: speech }],
    });
    const placement = result.placements[0]!;
    assert.ok(Math.abs(placement.stretch - 0.7) < 0.001, `stretch ${placement.stretch}`);
    assert.ok(Math.abs(placement.end - (1 + slot)) < 0.001, `ends at ${placement.end}, slot ends at ${1 + slot}`);
    assert.equal(placement.trimmedSeconds, 0);
    // Measured on the audio: the speech occupies the slot and nothing outside it.
    const [first, last] = activeSpan(result.samples);
    assert.ok(Math.abs(seconds(first) - 1) < 0.02, `speech starts at ${seconds(first)} s`);
    assert.ok(Math.abs(seconds(last + 1) - (1 + slot)) < 0.03, `speech ends at ${seconds(last + 1)} s`);
    const before = analyzeVoice(speech, RATE).pitch.medianHz;
    const after = analyzeVoice(region(result.samples, 1, 1 + slot), RATE).pitch.medianHz;
    assert.ok(Math.abs(after / before - 1) < 0.05, `median f0 ${before.toFixed(1)} → ${after.toFixed(1)} Hz`);
  });

  it('clamps the stretch to 0.5 and lets the rest run into the following gap', () => {
    const duration = seconds(speech.length);
    const slot = 0.3 * duration;
    const result = assembleDub({
      sourceDurationSeconds: 1 + duration + 2,
      sampleRate: RATE,
      segments: [{ start: 1, end: 1 + slot, audio: speech }],
    });
    const placement = result.placements[0]!;
    assert.equal(placement.stretch, 0.5);
    assert.ok(Math.abs(placement.end - (1 + 0.5 * duration)) < 0.001, `ends at ${placement.end}`);
    const [, last] = activeSpan(result.samples);
    assert.ok(Math.abs(seconds(last + 1) - (1 + 0.5 * duration)) < 0.03, `speech ends at ${seconds(last + 1)} s`);
  });

  it('clamps slowing down to 2× for speech much shorter than its slot', () => {
    const result = assembleDub({
      sourceDurationSeconds: 10,
      sampleRate: RATE,
      segments: [{ start: 0, end: 8, audio: short }],
    });
    const placement = result.placements[0]!;
    assert.equal(placement.stretch, 2);
    assert.ok(Math.abs(placement.end - 2 * seconds(short.length)) < 0.001);
  });

  it('never lets a segment run into the next one: it is cut there with a fade', () => {
    const duration = seconds(speech.length);
    const nextStart = 1 + 0.4 * duration;
    const result = assembleDub({
      sourceDurationSeconds: nextStart + 3,
      sampleRate: RATE,
      // Out of order on purpose: placement follows the timeline, results follow the input order.
      segments: [
        { start: nextStart, end: nextStart + 1.5, audio: short },
        { start: 1, end: 1 + 0.3 * duration, audio: speech },
      ],
    });
    const [second, first] = result.placements;
    assert.equal(first!.stretch, 0.5);
    assert.ok(first!.end <= second!.start + 1e-9, `first ends ${first!.end}, second starts ${second!.start}`);
    assert.ok(Math.abs(first!.end - nextStart) < 0.001);
    assert.ok(first!.trimmedSeconds > 0.05, `trimmed ${first!.trimmedSeconds} s`);
    // The fade brings the cut speech to near silence just before the next segment starts.
    const tail = rms(region(result.samples, nextStart - 0.004, nextStart));
    const body = rms(region(result.samples, 1, nextStart - 0.05));
    assert.ok(db(tail / body) < -15, `tail ${db(tail / body).toFixed(1)} dB under the speech`);
  });

  it('mixes the background throughout and ducks it by 12 dB under speech', () => {
    const duration = 8;
    const background = pinkNoise(duration * RATE, 0.05, 7);
    const segments = [
      { start: 1, end: 2.5, audio: short },
      { start: 4.5, end: 6, audio: short },
    ];
    const speechOnly = assembleDub({ sourceDurationSeconds: duration, sampleRate: RATE, segments });
    const mixed = assembleDub({ sourceDurationSeconds: duration, sampleRate: RATE, segments, background });
    assert.equal(mixed.outputGain, 1);
    // mixed − speech-only is exactly the background as the mix applied it.
    const applied = mixed.samples.map((v, i) => v - speechOnly.samples[i]!);
    const spans = mixed.placements.map((p) => [p.start, p.end] as const);
    const gapLevel = rms(region(applied, 3, 4)) / rms(region(background, 3, 4));
    const duckLevel =
      rms(region(applied, spans[0]![0] + 0.1, spans[0]![1] - 0.1)) /
      rms(region(background, spans[0]![0] + 0.1, spans[0]![1] - 0.1));
    assert.ok(Math.abs(db(gapLevel)) < 0.1, `gap ${db(gapLevel).toFixed(2)} dB`);
    assert.ok(Math.abs(db(duckLevel) + 12) < 0.5, `under speech ${db(duckLevel).toFixed(2)} dB`);
    // And on the mix itself: the background is audible in the gaps (pink noise at −26 dBFS).
    assert.ok(Math.abs(db(rms(region(mixed.samples, 6.5, 7.5))) - db(0.05)) < 0.5);

    const quieter = assembleDub({
      sourceDurationSeconds: duration,
      sampleRate: RATE,
      segments,
      background,
      backgroundGainDb: -6,
    });
    const quietGap = rms(region(quieter.samples, 3, 4)) / rms(region(background, 3, 4));
    assert.ok(Math.abs(db(quietGap) + 6) < 0.1, `gap at −6 dB gain: ${db(quietGap).toFixed(2)} dB`);
  });

  it('rejects segments with bad times', () => {
    const bad = [
      { start: 2, end: 1, audio: short },
      { start: -1, end: 1, audio: short },
      { start: 12, end: 13, audio: short },
      { start: Number.NaN, end: 1, audio: short },
    ];
    for (const segment of bad) {
      assert.throws(
        () => assembleDub({ sourceDurationSeconds: 10, sampleRate: RATE, segments: [segment] }),
        (e: unknown) => e instanceof DubbingError && e.code === 'INVALID_ARGUMENT',
      );
    }
  });
});

describe('streamed assembly pieces', () => {
  it('placing segments one by one in time order and mixing block by block gives assembleDub', async () => {
    const line = (await synthesizeSpeech('Hello there, how are you today?', { sampleRate: RATE })).samples;
    // Out of order on purpose, with one slot too short (stretch limit, then cut with a fade at the next start).
    const segments = [5.5, 0.5, 3, 8].map((start, index) => ({ start, end: start + 0.6 + index * 0.5, audio: line }));
    const background = pinkNoise(11 * RATE, 0.01, 3);
    const options = { sourceDurationSeconds: 11, sampleRate: RATE, segments, background };
    const whole = assembleDub(options);

    const layout = dubLayout(options);
    const order = segmentOrder(segments, 11);
    const speech = new Float32Array(layout.length);
    const spans: Array<[number, number]> = [];
    let written = 0;
    for (const [rank, index] of order.entries()) {
      const next = order[rank + 1];
      const placed = placeSegment(segments[index]!, next === undefined ? undefined : segments[next]!.start, layout);
      assert.ok(placed.offset >= written, 'placed segments never overlap, so they can be written in order');
      speech.set(placed.samples, placed.offset);
      written = placed.offset + placed.samples.length;
      spans.push([placed.offset, written]);
      assert.deepEqual(placed.placement, whole.placements[index]);
    }
    const mixed = new Float32Array(layout.length);
    for (let from = 0; from < layout.length; from += 997) {
      const to = Math.min(layout.length, from + 997);
      const gains = backgroundGains(spans, from, to, {}, RATE);
      for (let i = from; i < to; i++) mixed[i] = speech[i]! + background[i]! * gains[i - from]!;
    }
    for (let i = 0; i < mixed.length; i++) mixed[i] = mixed[i]! * whole.outputGain;
    assert.deepEqual(mixed, whole.samples);
  });
});
