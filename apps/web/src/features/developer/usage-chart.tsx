import { type ChartBox, scaleUsage } from './usage-scale';

const BOX: ChartBox = { width: 640, height: 220, left: 44, right: 8, top: 10, bottom: 26 };

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
  const scale = scaleUsage(days, values, BOX);
  const words = METRIC_WORDS[metric];
  const total = scale.bars.reduce((sum, bar) => sum + bar.value, 0);
  const busiest = scale.bars.reduce((best, bar) => (bar.value > (best?.value ?? 0) ? bar : best), scale.bars[0]);
  const summary =
    total === 0
      ? `${words.title} per day: none in this range.`
      : `${words.title} per day: ${formatAmount(total)} ${words.unit} in all over ${days.length} days, most on ` +
        `${busiest?.day} (${formatAmount(busiest?.value ?? 0)} ${words.unit}).`;
  const baseline = BOX.height - BOX.bottom;
  return (
    <figure className="m-0">
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-label={summary}
        className="h-auto w-full"
        data-testid="usage-chart"
      >
        <title>{summary}</title>
        {scale.yTicks.map((tick) => (
          <g key={tick.value}>
            <line x1={BOX.left} x2={BOX.width - BOX.right} y1={tick.y} y2={tick.y} stroke="#e2e8f0" />
            <text x={BOX.left - 6} y={tick.y + 4} textAnchor="end" fontSize="12" fill="#475569">
              {formatAmount(tick.value)}
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
        <line x1={BOX.left} x2={BOX.width - BOX.right} y1={baseline} y2={baseline} stroke="#94a3b8" />
        {scale.xTicks.map((tick) => (
          <text key={tick.label} x={tick.x} y={BOX.height - 8} textAnchor="middle" fontSize="12" fill="#475569">
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
