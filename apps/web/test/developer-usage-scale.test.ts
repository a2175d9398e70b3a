import { describe, expect, it } from 'vitest';

import { formatTick } from '../src/features/developer/usage-chart';
import { dailyValues } from '../src/features/developer/usage-section';
import { daysBetween, niceCeiling, scaleUsage, shortDay } from '../src/features/developer/usage-scale';

const BOX = { width: 240, height: 120, left: 40, right: 0, top: 10, bottom: 10 };

describe('usage chart scaling', () => {
  it('lists every UTC day of the range, month ends and leap days included', () => {
    expect(daysBetween('2028-02-27', '2028-03-02')).toEqual([
      '2028-02-27',
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
      '2028-03-02',
    ]);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
    expect(shortDay('2026-12-05')).toBe('Dec 5');
  });

  it('rounds the axis up to 1, 2, 2.5 or 5 times a power of ten, and has an axis with no data', () => {
    expect([0, 0.3, 0.7, 1, 1.2, 2.01, 3, 7, 12, 91, 121].map(niceCeiling)).toEqual([
      1, 0.5, 1, 1, 2, 2.5, 5, 10, 20, 100, 200,
    ]);
    expect(niceCeiling(0.1 + 0.2)).toBe(0.5);
    // The ticks under a 0.05 top keep their digits.
    expect([0, 0.025, 0.05, 1250].map(formatTick)).toEqual(['0', '0.025', '0.05', '1,250']);
  });

  it('gives each day a slot, heights proportional to the value, and empty days no bar', () => {
    const days = daysBetween('2026-03-01', '2026-03-04');
    const scale = scaleUsage(
      days,
      new Map([
        ['2026-03-01', 45],
        ['2026-03-03', 90],
      ]),
      BOX,
    );
    expect(scale.top).toBe(100);
    expect(scale.bars.map((bar) => bar.value)).toEqual([45, 0, 90, 0]);
    // Plot is 200 wide and 100 tall: 50 per day, bars 70 % of their slot, centred, standing on the baseline.
    expect(scale.bars.map((bar) => bar.x)).toEqual([47.5, 97.5, 147.5, 197.5]);
    expect(scale.bars.every((bar) => bar.width === 35)).toBe(true);
    expect(scale.bars.map((bar) => bar.height)).toEqual([45, 0, 90, 0]);
    expect(scale.bars.map((bar) => bar.y + bar.height)).toEqual([110, 110, 110, 110]);
    expect(scale.yTicks).toEqual([
      { value: 0, y: 110 },
      { value: 50, y: 60 },
      { value: 100, y: 10 },
    ]);
    const last = scale.bars[scale.bars.length - 1]!;
    expect(last.x + last.width).toBeLessThanOrEqual(BOX.width - BOX.right);
  });

  it('keeps a tiny day visible and labels as many days as fit the width, at most eight', () => {
    const days = daysBetween('2026-03-01', '2026-03-30');
    const scale = scaleUsage(
      days,
      new Map([
        ['2026-03-02', 0.01],
        ['2026-03-20', 500],
      ]),
      BOX,
    );
    expect(scale.bars[1]?.height).toBe(1);
    // 200 units of plot (a phone) hold three labels; 600 (a desktop) hold eight.
    expect(scale.xTicks.map((tick) => tick.label)).toEqual(['Mar 1', 'Mar 11', 'Mar 21']);
    const wide = scaleUsage(days, new Map(), { ...BOX, width: 640 });
    expect(wide.xTicks.map((tick) => tick.label)).toEqual([
      'Mar 1',
      'Mar 5',
      'Mar 9',
      'Mar 13',
      'Mar 17',
      'Mar 21',
      'Mar 25',
      'Mar 29',
    ]);
    const empty = scaleUsage(days, new Map(), BOX);
    expect(empty.top).toBe(1);
    expect(empty.bars.every((bar) => bar.height === 0 && Number.isFinite(bar.y))).toBe(true);
  });

  it('adds the features of a day together for the chosen metric', () => {
    const values = dailyValues(
      {
        from: '2026-03-01',
        to: '2026-03-02',
        keyId: null,
        rows: [],
        byKey: [],
        total: { minutes: 3.5, credits: 210, charges: 3 },
        daily: [
          { day: '2026-03-01', feature: 'denoise', minutes: 1.5, credits: 90, charges: 1 },
          { day: '2026-03-01', feature: 'tts', minutes: 0.5, credits: 30, charges: 1 },
          { day: '2026-03-02', feature: 'tts', minutes: 1.5, credits: 90, charges: 1 },
        ],
      },
      'credits',
    );
    expect([...values]).toEqual([
      ['2026-03-01', 120],
      ['2026-03-02', 90],
    ]);
  });
});
