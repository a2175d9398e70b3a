import { ErrorAlert } from '../../../components/error-alert';
import { formatDateTime } from '../../../lib/format';
import { type SystemReport, type TaskQueue, useSystemReport } from '../admin-queries';

const PANEL = 'rounded-md border border-slate-200 bg-white p-4';
const CELL = 'px-3 py-2 align-top';
const WIDE_ONLY = 'hidden sm:table-cell';

const ROLE_LABELS: Record<TaskQueue['role'], string> = {
  cpu: 'Workflows and bookkeeping',
  media: 'Media (decode, loudness, edits)',
  gpu: 'GPU inference',
};

/** Which priority keys mean what: the API schedules premium jobs' GPU activities at 1, free ones at 3. */
const PRIORITY_LABELS: Record<string, string> = { '1': 'premium', '3': 'free' };

function formatAge(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}

function Backlog({ queue }: { queue: TaskQueue }) {
  if (queue.error) return <span className="text-red-800">{queue.error}</span>;
  const stats = queue.stats;
  if (!stats) return <span className="text-slate-600">Not reported</span>;
  const byKey = Object.entries(queue.statsByPriorityKey ?? {}).filter(([, entry]) => entry.approximateBacklogCount > 0);
  return (
    <>
      <span className="font-semibold">{stats.approximateBacklogCount}</span> waiting
      {stats.approximateBacklogCount > 0 ? (
        <span className="text-slate-600"> · oldest {formatAge(stats.approximateBacklogAgeSeconds)}</span>
      ) : null}
      {byKey.length > 0 ? (
        <ul className="text-xs text-slate-700">
          {byKey.map(([key, entry]) => (
            <li key={key}>
              Priority {key}
              {PRIORITY_LABELS[key] ? ` (${PRIORITY_LABELS[key]})` : ''}: {entry.approximateBacklogCount}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function HealthPanel({ health }: { health: SystemReport['health'] }) {
  const words = {
    ok: 'All dependencies answer',
    starting: 'Starting',
    degraded: 'Degraded',
    draining: 'Shutting down',
  } as const;
  return (
    <section aria-labelledby="health-title" className={PANEL}>
      <h2 id="health-title" className="text-lg font-semibold">
        Health: {words[health.status]}
      </h2>
      <ul className="mt-2 grid grid-cols-1 gap-1 text-sm sm:grid-cols-2">
        {Object.entries(health.checks).map(([name, check]) => (
          <li key={name} className="flex items-center gap-2">
            <span
              className={`rounded-full px-2 py-0.5 text-xs font-semibold ${check.status === 'up' ? 'bg-green-100 text-green-900' : 'bg-red-100 text-red-900'}`}
            >
              {check.status === 'up' ? 'Up' : 'Down'}
            </span>
            <span className="font-medium">{name}</span>
            <span className="text-slate-600">
              {check.status === 'up' ? `${check.latencyMs} ms` : check.reason === 'timeout' ? 'timed out' : 'failed'}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Dependency health, each task queue's backlog and pollers, the workers behind them and the installed models. */
export function SystemPage() {
  const report = useSystemReport();
  const data = report.data;
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">System</h1>
      <ErrorAlert error={report.error} title="Could not load the system report" />
      {!data && report.isPending ? (
        <p role="status" className="text-slate-600">
          Loading…
        </p>
      ) : null}
      {data ? (
        <>
          <HealthPanel health={data.health} />
          <section aria-labelledby="queues-title" className={`${PANEL} flex flex-col gap-2`}>
            <h2 id="queues-title" className="text-lg font-semibold">
              Task queues
            </h2>
            <p className="text-sm text-slate-700">
              Temporal namespace <span className="font-mono">{data.temporal.namespace}</span>
              {data.temporal.uiUrl ? (
                <>
                  {' · '}
                  <a href={data.temporal.uiUrl} target="_blank" rel="noreferrer" className="text-indigo-700 underline">
                    Temporal UI<span className="sr-only"> (opens a new tab)</span>
                  </a>
                </>
              ) : null}
            </p>
            <table className="w-full border-collapse text-left text-sm">
              <caption className="sr-only">Task queues with their backlog and pollers</caption>
              <thead className="border-b border-slate-300 text-slate-700">
                <tr>
                  <th scope="col" className={CELL}>
                    Queue
                  </th>
                  <th scope="col" className={CELL}>
                    Backlog
                  </th>
                  <th scope="col" className={`${CELL} ${WIDE_ONLY}`}>
                    Pollers
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.taskQueues.map((queue) => (
                  <tr key={`${queue.name}:${queue.kind}`} className="border-b border-slate-200">
                    <td className={CELL}>
                      <span className="font-semibold">{ROLE_LABELS[queue.role]}</span>
                      <p className="font-mono text-xs break-all text-slate-600">
                        {queue.name} ({queue.kind} tasks)
                      </p>
                      <p className="text-xs text-slate-700 sm:hidden">
                        {queue.pollers.length} poller{queue.pollers.length === 1 ? '' : 's'}
                      </p>
                    </td>
                    <td className={CELL}>
                      <Backlog queue={queue} />
                    </td>
                    <td className={`${CELL} ${WIDE_ONLY}`}>
                      {queue.pollers.length === 0 ? (
                        <span className="font-semibold text-red-800">None: no worker serves this queue</span>
                      ) : (
                        <ul className="text-xs">
                          {queue.pollers.map((poller) => (
                            <li key={poller.identity} className="font-mono break-all">
                              {poller.identity}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="workers-title" className={`${PANEL} flex flex-col gap-2`}>
            <h2 id="workers-title" className="text-lg font-semibold">
              Workers
            </h2>
            {data.workers.length === 0 ? (
              <p className="text-sm text-slate-700">No worker is polling any queue.</p>
            ) : (
              <ul className="flex flex-col gap-2 text-sm">
                {data.workers.map((worker) => (
                  <li key={worker.identity}>
                    <span className="font-mono font-semibold break-all">{worker.identity}</span>
                    <p className="text-xs text-slate-700">
                      {worker.queues.map((queue) => `${queue.name} (${queue.kind})`).join(', ')}
                      {worker.lastSeen ? ` · last poll ${formatDateTime(worker.lastSeen)}` : ''}
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <ModelsPanel models={data.models} />
        </>
      ) : null}
    </section>
  );
}

function ModelsPanel({ models }: { models: SystemReport['models'] }) {
  const installed = Object.entries(models.tasks) as Array<[string, SystemReport['models']['tasks']['denoise']]>;
  return (
    <section aria-labelledby="models-title" className={`${PANEL} flex flex-col gap-2`}>
      <h2 id="models-title" className="text-lg font-semibold">
        Installed models
      </h2>
      <ul className="grid grid-cols-1 gap-1 text-sm sm:grid-cols-2">
        {installed.map(([task, list]) => (
          <li key={task}>
            <span className="font-medium">{task}</span>:{' '}
            {list.length === 0 ? (
              <span className="text-red-800">none installed</span>
            ) : (
              list.map((model) => model.id).join(', ')
            )}
          </li>
        ))}
      </ul>
      {models.unavailable.length > 0 ? (
        <details className="text-sm">
          <summary className="cursor-pointer text-indigo-700">
            {models.unavailable.length} model{models.unavailable.length === 1 ? '' : 's'} not available
          </summary>
          <ul className="mt-2 flex flex-col gap-1">
            {models.unavailable.map((model) => (
              <li key={model.id}>
                <span className="font-mono">{model.id}</span>: {model.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
