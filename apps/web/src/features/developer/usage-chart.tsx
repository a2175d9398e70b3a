import { type RefObject, useEffect, useRef, useState } from 'react';

import { type ChartBox, scaleUsage } from './usage-scale';

/** Drawn at the width it is shown at (one SVG unit = one CSS pixel), so its text stays 12 px on a phone too. */
const MARGINS = { height: 200, left: 48, right: 8, top: 10, bottom: 26 } as const;
const FALLBACK_WIDTH = 640;

export type UsageMetric = 'minutes' | 'credits';

export const METRIC_WORDS: Record<UsageMetric, { title: string; unit: string }> = {
  minutes: { title: 'Minutes processed', unit: 'min' },
  credits: { title: 'Credits charged', unit: 'credits' },
};

/** 1.508 → "1.51", 90 → "90": enough digits to read, none that only add noise. */
export function formatAmount(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 2 : 1 });
}

/** Axis values keep three significant digits, so 0.025 is not shown as 0.03 under a 0.05 top. */
export function formatTick(value: number): string {
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/** The element's content width, following resizes (the fallback where ResizeObserver is missing, as in jsdom). */
function useWidth<T extends Element>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(FALLBACK_WIDTH);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.floor(entry?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/**
 * Bars per day of the range for one metric. The SVG is one image with a summary for screen readers; the table
 * next to it has every figure. Scales with its container (viewBox), so it fits a 360 px phone.
 */
export function UsageChart({
  days,
  values,
  metric,
}: {
  days: readonly string[];
  values: ReadonlyMap<string, number>;
  metric: UsageMetric;
}) {
  const [ref, width] = useWidth<HTMLElement>();
  const box: ChartBox = { width, ...MARGINS };
  const scale = scaleUsage(days, values, box);
  const words = METRIC_WORDS[metric];
  const total = scale.bars.reduce((sum, bar) => sum + bar.value, 0);
  const busiest = scale.bars.reduce((best, bar) => (bar.value > (best?.value ?? 0) ? bar : best), scale.bars[0]);
  const summary =
    total === 0
      ? `${words.title} per day: none in this range.`
      : `${words.title} per day: ${formatAmount(total)} ${words.unit} in all over ${days.length} days, most on ` +
        `${busiest?.day} (${formatAmount(busiest?.value ?? 0)} ${words.unit}).`;
  const baseline = box.height - box.bottom;
  return (
    <figure ref={ref} className="m-0">
      <svg
        width={box.width}
        height={box.height}
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-label={summary}
        className="block max-w-full"
        data-testid="usage-chart"
      >
        <title>{summary}</title>
        {scale.yTicks.map((tick) => (
          <g key={tick.value}>
            <line x1={box.left} x2={box.width - box.right} y1={tick.y} y2={tick.y} stroke="#e2e8f0" />
            <text x={box.left - 6} y={tick.y + 4} textAnchor="end" fontSize="12" fill="#475569">
              {formatTick(tick.value)}
            </text>
          </g>
        ))}
        {scale.bars.map((bar) =>
          bar.height > 0 ? (
            <rect key={bar.day} x={bar.x} y={bar.y} width={bar.width} height={bar.height} rx="1.5" fill="#4f46e5">
              <title>{`${bar.day}: ${formatAmount(bar.value)} ${words.unit}`}</title>
            </rect>
          ) : null,
        )}
        <line x1={box.left} x2={box.width - box.right} y1={baseline} y2={baseline} stroke="#94a3b8" />
        {scale.xTicks.map((tick) => (
          <text key={tick.label} x={tick.x} y={box.height - 8} textAnchor="middle" fontSize="12" fill="#475569">
            {tick.label}
          </text>
        ))}
      </svg>
      <figcaption className="text-xs text-slate-600">
        {words.title} per day (UTC), counted when a job’s result is first downloaded
      </figcaption>
    </figure>
  );
}
