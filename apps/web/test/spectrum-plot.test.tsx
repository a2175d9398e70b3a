import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { SpectrumPlot, spectrumSummary } from '../src/features/voices/spectrum-plot';
import { hzToMel, linePath, scaleSpectrum, type PlotBox } from '../src/features/voices/spectrum-scale';

const BOX: PlotBox = { width: 300, height: 120, left: 20, right: 10, top: 10, bottom: 20 };

/** 24 mel-spaced centres from 50 Hz to 8 kHz, as the analysis lays its bands out. */
const CENTERS = Array.from({ length: 24 }, (_, i) => {
  const low = hzToMel(50);
  const mel = low + ((hzToMel(8000) - low) * (i + 1)) / 25;
  return 700 * (10 ** (mel / 2595) - 1);
});

/** A speech-like shape: a peak in band 4, falling towards the top. */
const BANDS = CENTERS.map((_, i) => (i === 4 ? 12 : 8 - i * 1.2));

describe('spectrum plot scaling', () => {
  it('fits the bands between the nearest 10 dB edges: loudest highest, quietest lowest, linear in dB', () => {
    const scale = scaleSpectrum(BANDS, CENTERS, BOX);
    expect(scale.topDb).toBe(20);
    expect(scale.bottomDb).toBe(-20); // the quietest band is 8 − 23·1.2 = −19.6 dB
    const ys = scale.points.map((p) => p.y);
    expect(Math.min(...ys)).toBe(ys[4]);
    expect(Math.max(...ys)).toBe(ys[23]);
    // dB map linearly onto the plot area: 20 dB → top, −20 dB → bottom.
    const yOf = (db: number) => BOX.top + ((20 - db) / 40) * (BOX.height - BOX.top - BOX.bottom);
    scale.points.forEach((p, i) => expect(p.y).toBeCloseTo(yOf(BANDS[i]!), 9));
    expect(scale.yTicks.map((t) => t.label)).toEqual(['20', '10', '0', '-10', '-20']);
    expect(scale.yTicks.at(-1)?.y).toBe(BOX.height - BOX.bottom);
    expect(scale.peakHz).toBe(CENTERS[4]);
  });

  it('spaces frequency on the mel axis across the analysis range 50 Hz–8 kHz', () => {
    const scale = scaleSpectrum(BANDS, CENTERS, BOX);
    const xs = scale.points.map((p) => p.x);
    xs.slice(1).forEach((x, i) => expect(x).toBeGreaterThan(xs[i]!));
    // Mel-spaced centres land evenly: the plot area split into 25 equal steps.
    const step = (BOX.width - BOX.left - BOX.right) / 25;
    xs.forEach((x, i) => expect(x).toBeCloseTo(BOX.left + step * (i + 1), 6));
    const ticks = Object.fromEntries(scale.xTicks.map((t) => [t.label, t.x]));
    expect(ticks['8k']).toBeCloseTo(BOX.width - BOX.right, 9);
    // 1 kHz sits between the bands around it.
    const below = CENTERS.findLastIndex((hz) => hz < 1000);
    expect(ticks['1k']).toBeGreaterThan(xs[below]!);
    expect(ticks['1k']).toBeLessThan(xs[below + 1]!);
  });

  it('gives a nearly flat spectrum at least 20 dB of height, centred, instead of magnifying ripples', () => {
    const flat = CENTERS.map((_, i) => (i % 2 === 0 ? 0.5 : -0.5));
    const scale = scaleSpectrum(flat, CENTERS, BOX);
    expect(scale.topDb - scale.bottomDb).toBe(20);
    const ys = scale.points.map((p) => p.y);
    const middle = BOX.top + (BOX.height - BOX.top - BOX.bottom) / 2;
    for (const y of ys) expect(Math.abs(y - middle)).toBeLessThan(4);
  });

  it('refuses bands without a centre each', () => {
    expect(() => scaleSpectrum([1, 2], [100], BOX)).toThrow(RangeError);
    expect(() => scaleSpectrum([], [], BOX)).toThrow(RangeError);
  });

  it('draws an SVG path through every band', () => {
    expect(
      linePath([
        { x: 1, y: 2 },
        { x: 3.25, y: 4 },
      ]),
    ).toBe('M1.0,2.0 L3.3,4.0');
  });
});

describe('SpectrumPlot', () => {
  it('is an image named by what it shows: the strongest band and the tilt', () => {
    render(<SpectrumPlot bandsDb={BANDS} centersHz={CENTERS} tiltDbPerOctave={-5.6} />);
    const plot = screen.getByRole('img');
    expect(plot.getAttribute('aria-label')).toBe(spectrumSummary(CENTERS[4]!, -5.6));
    expect(plot.getAttribute('aria-label')).toMatch(/strongest around \d+0 Hz, falling about 6 dB per octave/);
    const line = plot.querySelectorAll('path')[1]!.getAttribute('d') ?? '';
    expect(line.split(/[ML]/).filter(Boolean)).toHaveLength(24);
  });

  it('draws nothing when the voice has no band centres', () => {
    const { container } = render(<SpectrumPlot bandsDb={BANDS} centersHz={[]} tiltDbPerOctave={0} />);
    expect(container.querySelector('svg')).toBeNull();
  });

  it('says a level spectrum is level', () => {
    expect(spectrumSummary(1500, 0.2)).toBe(
      'Long-term average spectrum, 50 Hz to 8 kHz: strongest around 1.5 kHz, roughly level across the range.',
    );
  });
});
