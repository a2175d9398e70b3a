import { formatClock } from '../../../lib/format';
import { STEP_LABELS, STEP_STATE_LABELS } from './job-labels';
import type { StepView } from './job-queries';
import { ProgressBar } from './progress-bar';

const STATE_STYLES: Record<StepView['state'], string> = {
  pending: 'bg-slate-100 text-slate-800',
  running: 'bg-blue-100 text-blue-900',
  completed: 'bg-green-100 text-green-900',
  failed: 'bg-red-100 text-red-900',
  cancelled: 'bg-amber-100 text-amber-900',
  skipped: 'bg-slate-100 text-slate-700',
};

const timeOfDay = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { timeStyle: 'medium' });

/** How long a step took, or has been running for (`now` ticks while something runs). */
export function stepElapsedMs(step: StepView, now: number): number | undefined {
  if (!step.startedAt) return undefined;
  const end = step.completedAt ? Date.parse(step.completedAt) : step.state === 'running' ? now : undefined;
  return end === undefined ? undefined : Math.max(0, end - Date.parse(step.startedAt));
}

/** Each step of the job with its model, timings, state and own progress. */
export function StepList({ steps, now }: { steps: readonly StepView[]; now: number }) {
  return (
    <ol className="flex flex-col gap-2" aria-label="Steps">
      {steps.map((step) => {
        const label = STEP_LABELS[step.op];
        const elapsed = stepElapsedMs(step, now);
        return (
          <li
            key={step.index}
            aria-current={step.state === 'running' ? 'step' : undefined}
            className="rounded-md border border-slate-200 bg-white p-3"
          >
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className="font-semibold text-slate-900">
                {step.index + 1}. {label}
              </span>
              <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${STATE_STYLES[step.state]}`}>
                {STEP_STATE_LABELS[step.state]}
                {step.state === 'running' ? ` · ${Math.round(step.progress)}%` : ''}
              </span>
            </div>
            <dl className="mt-1 flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-slate-700">
              {step.model ? <Term term="Model">{step.model}</Term> : null}
              {step.startedAt ? <Term term="Started">{timeOfDay(step.startedAt)}</Term> : null}
              {step.completedAt ? <Term term="Finished">{timeOfDay(step.completedAt)}</Term> : null}
              {elapsed !== undefined ? <Term term="Elapsed">{formatElapsed(elapsed)}</Term> : null}
            </dl>
            {step.state === 'running' ? (
              <div className="mt-2">
                <ProgressBar value={step.progress} label={`${label} progress`} size="small" />
              </div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

/** A term and its value, side by side; a <dl> of such <div>s is valid HTML. */
function Term({ term, children }: { term: string; children: string }) {
  return (
    <div className="flex min-w-0 gap-1">
      <dt className="font-medium">{term}</dt>
      <dd className="break-all">{children}</dd>
    </div>
  );
}

/** Sub-second steps are common (a quality check): show tenths below 10 s, m:ss above. */
export function formatElapsed(milliseconds: number): string {
  return milliseconds < 10_000 ? `${(milliseconds / 1000).toFixed(1)} s` : formatClock(milliseconds);
}
