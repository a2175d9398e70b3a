import { useId, useMemo, useState } from 'react';

import { ErrorAlert } from '../../components/error-alert';
import { describeJobType } from '../jobs/history/job-types';
import { type ApiKey, type UsageReport, useUsage } from './developer-queries';
import { formatAmount, METRIC_WORDS, UsageChart, type UsageMetric } from './usage-chart';
import { daysBetween, shortDay } from './usage-scale';

const DAY_MS = 86_400_000;
/** Usage is counted in UTC days, so the default range is the API's: the last 30 UTC days. */
const utcDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** Per-day totals of one metric over the report's features. */
export function dailyValues(report: UsageReport, metric: UsageMetric): Map<string, number> {
  const values = new Map<string, number>();
  for (const row of report.daily) values.set(row.day, (values.get(row.day) ?? 0) + row[metric]);
  return values;
}

const CELL = 'px-3 py-2 align-top';

function UsageTable({ report, keys }: { report: UsageReport; keys: readonly ApiKey[] }) {
  const byId = new Map(keys.map((key) => [key.id, key]));
  return (
    <div className="flex flex-col gap-6">
      <table className="w-full border-collapse text-left text-sm">
        <caption className="mb-1 text-left font-semibold">Per day and feature</caption>
        <thead className="border-b border-slate-300 text-slate-700">
          <tr>
            <th scope="col" className={CELL}>
              Day
            </th>
            <th scope="col" className={CELL}>
              Feature
            </th>
            <th scope="col" className={`${CELL} text-right`}>
              Minutes
            </th>
            <th scope="col" className={`${CELL} text-right`}>
              Credits
            </th>
          </tr>
        </thead>
        <tbody>
          {report.daily.length === 0 ? (
            <tr>
              <td colSpan={4} className={`${CELL} text-slate-600`}>
                No charges in this range.
              </td>
            </tr>
          ) : (
            report.daily.map((row) => (
              <tr key={`${row.day}:${row.feature}`} className="border-b border-slate-200">
                <td className={CELL}>{shortDay(row.day)}</td>
                <td className={`${CELL} break-words`}>{describeJobType(row.feature)}</td>
                <td className={`${CELL} text-right`}>{formatAmount(row.minutes)}</td>
                <td className={`${CELL} text-right`}>{formatAmount(row.credits)}</td>
              </tr>
            ))
          )}
        </tbody>
        <tfoot>
          <tr className="font-semibold">
            <th scope="row" colSpan={2} className={CELL}>
              Total
            </th>
            <td className={`${CELL} text-right`}>{formatAmount(report.total.minutes)}</td>
            <td className={`${CELL} text-right`}>{formatAmount(report.total.credits)}</td>
          </tr>
        </tfoot>
      </table>
      {report.byKey.length > 0 ? (
        <table className="w-full border-collapse text-left text-sm">
          <caption className="mb-1 text-left font-semibold">Per key</caption>
          <thead className="border-b border-slate-300 text-slate-700">
            <tr>
              <th scope="col" className={CELL}>
                Key
              </th>
              <th scope="col" className={`${CELL} text-right`}>
                Minutes
              </th>
              <th scope="col" className={`${CELL} text-right`}>
                Credits
              </th>
            </tr>
          </thead>
          <tbody>
            {report.byKey.map((row) => (
              <tr key={row.keyId ?? 'web'} className="border-b border-slate-200">
                <th scope="row" className={`${CELL} font-normal break-words`}>
                  {row.keyId === null ? 'Web app' : (row.name ?? byId.get(row.keyId)?.name ?? 'A key')}
                  {row.prefix ? <code className="ml-1 text-xs text-slate-600">{row.prefix}…</code> : null}
                </th>
                <td className={`${CELL} text-right`}>{formatAmount(row.minutes)}</td>
                <td className={`${CELL} text-right`}>{formatAmount(row.credits)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** Usage per day with filters: a date range (UTC days) and one key or all; a chart and the same figures as tables. */
export function UsageSection({ keys }: { keys: readonly ApiKey[] }) {
  const [range, setRange] = useState(() => {
    const now = Date.now();
    return { from: utcDay(now - 29 * DAY_MS), to: utcDay(now) };
  });
  const [keyId, setKeyId] = useState('');
  const [metric, setMetric] = useState<UsageMetric>('minutes');
  const usage = useUsage({ from: range.from, to: range.to, ...(keyId ? { key: keyId } : {}) });
  const ids = { from: useId(), to: useId(), key: useId(), title: useId() };
  const report = usage.data;
  const days = useMemo(() => (report ? daysBetween(report.from, report.to) : []), [report]);
  const values = useMemo(() => (report ? dailyValues(report, metric) : new Map<string, number>()), [report, metric]);

  return (
    <section aria-labelledby={ids.title} className="flex flex-col gap-4">
      <h2 id={ids.title} className="text-xl font-semibold">
        Usage
      </h2>
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.from} className="text-sm font-medium text-slate-800">
            From
          </label>
          <input
            id={ids.from}
            type="date"
            value={range.from}
            max={range.to}
            onChange={(event) => event.target.value && setRange((r) => ({ ...r, from: event.target.value }))}
            className="rounded-md border border-slate-300 px-3 py-2"
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.to} className="text-sm font-medium text-slate-800">
            To
          </label>
          <input
            id={ids.to}
            type="date"
            value={range.to}
            min={range.from}
            onChange={(event) => event.target.value && setRange((r) => ({ ...r, to: event.target.value }))}
            className="rounded-md border border-slate-300 px-3 py-2"
          />
        </div>
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor={ids.key} className="text-sm font-medium text-slate-800">
            Key
          </label>
          <select
            id={ids.key}
            value={keyId}
            onChange={(event) => setKeyId(event.target.value)}
            className="max-w-full rounded-md border border-slate-300 px-3 py-2"
          >
            <option value="">All keys and the web app</option>
            {keys.map((key) => (
              <option key={key.id} value={key.id}>
                {key.name} ({key.prefix}…)
              </option>
            ))}
          </select>
        </div>
        <fieldset className="flex gap-3">
          <legend className="text-sm font-medium text-slate-800">Chart</legend>
          {(Object.keys(METRIC_WORDS) as UsageMetric[]).map((option) => (
            <label key={option} className="flex items-center gap-1 text-sm">
              <input
                type="radio"
                name="usage-metric"
                value={option}
                checked={metric === option}
                onChange={() => setMetric(option)}
              />
              {METRIC_WORDS[option].title}
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorAlert error={usage.error} title="Could not load usage" />
      {report ? (
        <div className="flex flex-col gap-4" aria-busy={usage.isFetching || undefined}>
          <p className="text-sm text-slate-700">
            {formatAmount(report.total.minutes)} minutes processed, {formatAmount(report.total.credits)} credits charged
            from {shortDay(report.from)} to {shortDay(report.to)} (UTC).
          </p>
          <UsageChart days={days} values={values} metric={metric} />
          <UsageTable report={report} keys={keys} />
        </div>
      ) : usage.isPending ? (
        <p className="text-sm text-slate-600">Loading…</p>
      ) : null}
    </section>
  );
}
