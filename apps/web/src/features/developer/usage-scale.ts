/** The plot area of a chart inside its viewBox: the margins hold the axis labels. */
export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface DayValue {
  /** YYYY-MM-DD (UTC). */
  day: string;
  value: number;
}

export interface UsageBar extends DayValue {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface UsageScale {
  bars: UsageBar[];
  /** The value at the top of the plot: a round number at or above the largest bar. */
  top: number;
  yTicks: { y: number; value: number }[];
  xTicks: { x: number; label: string }[];
}

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
/** Room one day label needs under the bars, so labels never overlap however narrow the chart. */
const X_LABEL_SPACING = 64;
/** At most this many day labels, even on a wide screen. */
const MAX_X_LABELS = 8;

/** Every UTC day from `from` to `to`, both included (empty when `from` is after `to`). */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const days: string[] = [];
  for (let time = start; time <= end; time += DAY_MS) days.push(new Date(time).toISOString().slice(0, 10));
  return days;
}

/** "2026-03-01" → "Mar 1", the same in every locale and time zone (the days are UTC days). */
export function shortDay(day: string): string {
  const [, month = '1', date = '1'] = day.split('-');
  return `${MONTHS[Number(month) - 1] ?? month} ${Number(date)}`;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `value`; 1 for nothing at all, so an empty chart has an axis. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    // The tolerance keeps 0.3 (0.30000000000000004 from sums) at 0.3's ceiling, not the next step.
    if (value <= step * magnitude * (1 + 1e-9)) return step * magnitude;
  }
  return 10 * magnitude;
}

/**
 * One bar per day of the range (days without usage are 0), heights proportional to the value on an axis from 0 to
 * a round top. A bar with any usage is at least 1 unit tall, so a small day is still visible; as many day labels as
 * fit the width. Pure, so the scaling is tested without a DOM.
 */
export function scaleUsage(days: readonly string[], values: ReadonlyMap<string, number>, box: ChartBox): UsageScale {
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  const baseline = box.top + plotHeight;
  const largest = Math.max(0, ...days.map((day) => values.get(day) ?? 0));
  const top = niceCeiling(largest);
  const slot = days.length > 0 ? plotWidth / days.length : plotWidth;
  const barWidth = Math.max(1, slot * 0.7);
  const bars = days.map((day, index) => {
    const value = values.get(day) ?? 0;
    const height = value > 0 ? Math.max(1, (value / top) * plotHeight) : 0;
    return {
      day,
      value,
      x: box.left + index * slot + (slot - barWidth) / 2,
      y: baseline - height,
      width: barWidth,
      height,
    };
  });
  const yTicks = [0, top / 2, top].map((value) => ({ value, y: baseline - (value / top) * plotHeight }));
  const labels = Math.max(2, Math.min(MAX_X_LABELS, Math.floor(plotWidth / X_LABEL_SPACING)));
  const every = Math.max(1, Math.ceil(days.length / labels));
  const xTicks = bars
    .filter((_, index) => index % every === 0)
    .map((bar) => ({ x: bar.x + bar.width / 2, label: shortDay(bar.day) }));
  return { bars, top, yTicks, xTicks };
}
