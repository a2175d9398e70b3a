import { ErrorAlert } from '../../../components/error-alert';
import { formatCredits, formatDateTime } from '../../../lib/format';
import { type OperationsQueue, type OperationsReport, useOperations } from '../admin-queries';

const PANEL = 'rounded-md border border-slate-200 bg-white p-4';
const CELL = 'px-3 py-2 align-top';
const LINK = 'text-indigo-700 underline';
/** Matches the VoiceCreditsHeldTooLong alert: a hold this old was probably forgotten (an output never downloaded). */
const STALE_HOLD_SECONDS = 24 * 3600;

const ROLE_LABELS: Record<OperationsQueue['role'], string> = {
  cpu: 'Workflows and bookkeeping',
  media: 'Media (decode, loudness, edits)',
  gpu: 'GPU inference',
};

/** "under a second", "42 s", "12 min", "3 h 05 min", "2 d 4 h": an age at the precision an operator reads it. */
function formatAge(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

function ExternalLink({ href, children }: { href: string; children: string }) {
  return (
    <a href={href} target="_blank" rel="noreferrer" className={LINK}>
      {children}
      <span className="sr-only"> (opens a new tab)</span>
    </a>
  );
}

function QueueRow({ queue }: { queue: OperationsQueue }) {
  return (
    <tr className="border-b border-slate-200">
      <th scope="row" className={`${CELL} font-normal`}>
        <span className="font-semibold">{ROLE_LABELS[queue.role]}</span>
        {/* overflow-wrap anywhere: words wrap as words, and only the long queue name breaks inside itself. */}
        <p className="font-mono text-xs [overflow-wrap:anywhere] text-slate-600">
          {queue.name} ({queue.kinds.join(' and ')} tasks)
        </p>
      </th>
      {queue.error ? (
        <td colSpan={3} className={`${CELL} text-red-800`}>
          {queue.error}
        </td>
      ) : (
        <>
          <td className={CELL}>{queue.backlog}</td>
          <td className={CELL}>{queue.backlog > 0 ? formatAge(queue.backlogAgeSeconds) : '—'}</td>
          <td className={CELL}>
            {queue.pollers === 0 ? (
              <span className="font-semibold text-red-800">None: no worker serves this queue</span>
            ) : (
              queue.pollers
            )}
          </td>
        </>
      )}
      <td className={CELL}>
        {queue.temporalUrl ? <ExternalLink href={queue.temporalUrl}>{`Open ${queue.name}`}</ExternalLink> : '—'}
      </td>
    </tr>
  );
}

function CreditsPanel({ credits }: { credits: OperationsReport['credits'] }) {
  return (
    <section aria-labelledby="held-title" className={`${PANEL} flex flex-col gap-2`}>
      <h2 id="held-title" className="text-lg font-semibold">
        Credits held
      </h2>
      {credits === null ? (
        <p className="text-red-800">The database did not answer in time; see the server log.</p>
      ) : (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="font-medium">Held now</dt>
          <dd>{formatCredits(credits.held)}</dd>
          <dt className="font-medium">Open holds</dt>
          <dd>{credits.holds}</dd>
          <dt className="font-medium">Oldest unsettled hold</dt>
          <dd>
            {credits.oldestAgeSeconds === 0 ? 'none' : formatAge(credits.oldestAgeSeconds)}
            {credits.oldestAgeSeconds >= STALE_HOLD_SECONDS ? (
              <span className="font-semibold text-red-800">
                {' '}
                · older than a day: a job that never settled (the retention schedule releases holds no workflow owns)
              </span>
            ) : null}
          </dd>
        </dl>
      )}
    </section>
  );
}

/**
 * What an operator watches: each task queue's backlog, its age and its pollers, and the credits held. The same
 * figures /metrics exports (voice_task_queue_*, voice_credits_held*), from the same reading, with links to Temporal.
 */
export function OperationsPage() {
  const report = useOperations();
  const data = report.data;
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Operations</h1>
      <ErrorAlert error={report.error} title="Could not load the operations report" />
      {!data && report.isPending ? (
        <p role="status" className="text-slate-600">
          Loading…
        </p>
      ) : null}
      {data ? (
        <>
          <p className="text-sm text-slate-700">
            Read {formatDateTime(data.readAt)}; refreshed every 5 seconds. Prometheus scrapes the same figures from
            /metrics.
          </p>
          <section aria-labelledby="backlog-title" className={`${PANEL} flex flex-col gap-2`}>
            <h2 id="backlog-title" className="text-lg font-semibold">
              Task queues
            </h2>
            {/* Five columns do not fit a phone: the table scrolls inside its panel, never the page (relative: its links' sr-only hints are clipped with it). */}
            <div className="relative overflow-x-auto">
              <table className="w-full border-collapse text-left text-sm">
                <caption className="sr-only">Backlog, oldest waiting task and pollers of each task queue</caption>
                <thead className="border-b border-slate-300 text-slate-700">
                  <tr>
                    <th scope="col" className={CELL}>
                      Queue
                    </th>
                    <th scope="col" className={CELL}>
                      Waiting
                    </th>
                    <th scope="col" className={CELL}>
                      Oldest waiting
                    </th>
                    <th scope="col" className={CELL}>
                      Pollers
                    </th>
                    <th scope="col" className={CELL}>
                      Temporal
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.taskQueues.map((queue) => (
                    <QueueRow key={queue.name} queue={queue} />
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <CreditsPanel credits={data.credits} />
          <section aria-labelledby="temporal-title" className={`${PANEL} flex flex-col gap-2`}>
            <h2 id="temporal-title" className="text-lg font-semibold">
              Temporal
            </h2>
            <p className="text-sm">
              Namespace <span className="font-mono">{data.temporal.namespace}</span>
            </p>
            {data.temporal.uiUrl ? (
              <ul className="flex flex-wrap gap-4 text-sm">
                <li>
                  <ExternalLink href={data.temporal.uiUrl}>Temporal UI</ExternalLink>
                </li>
                {data.temporal.workflowsUrl ? (
                  <li>
                    <ExternalLink href={data.temporal.workflowsUrl}>Workflow runs</ExternalLink>
                  </li>
                ) : null}
                {data.temporal.schedulesUrl ? (
                  <li>
                    <ExternalLink href={data.temporal.schedulesUrl}>Schedules</ExternalLink>
                  </li>
                ) : null}
              </ul>
            ) : (
              <p className="text-sm text-slate-700">
                The Temporal UI’s address is not known: set TEMPORAL_UI_PUBLIC_URL to link it here.
              </p>
            )}
          </section>
        </>
      ) : null}
    </section>
  );
}
