import { describe, expect, it } from 'vitest';

import { formatClock, formatCredits } from '../src/lib/format';

describe('formatting', () => {
  it('shows credits as minutes and seconds', () => {
    expect(formatCredits(1800)).toBe('30 min 00 s');
    expect(formatCredits(725)).toBe('12 min 05 s');
    expect(formatCredits(45)).toBe('45 s');
    expect(formatCredits(-3)).toBe('0 s');
  });
  it('shows durations as a clock', () => {
    expect(formatClock(65_400)).toBe('1:05');
    expect(formatClock(3_725_000)).toBe('1:02:05');
  });
});
