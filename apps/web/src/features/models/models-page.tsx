import { ErrorAlert } from '../../components/error-alert';
import { KindBadge, ModelCard } from './model-card';
import { TASK_ORDER, TASKS } from './model-text';
import { useModels, type InstalledModel, type ModelList, type ModelTask } from './use-models';

function TaskSection({ task, models }: { task: ModelTask; models: readonly InstalledModel[] }) {
  const { title, description } = TASKS[task];
  const headingId = `task-${task}`;
  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-2">
      <h2 id={headingId} className="text-xl font-semibold">
        {title}
      </h2>
      <p className="text-sm text-slate-700">{description}</p>
      {models.length === 0 ? (
        <p className="text-sm text-amber-900">No model for this task is installed on this server.</p>
      ) : (
        <ul className="grid gap-3 md:grid-cols-2">
          {models.map((model) => (
            <ModelCard key={model.id} model={model} />
          ))}
        </ul>
      )}
    </section>
  );
}

function UnavailableSection({ models }: { models: ModelList['unavailable'] }) {
  return (
    <section aria-labelledby="unavailable-heading" className="flex flex-col gap-2">
      <h2 id="unavailable-heading" className="text-xl font-semibold">
        Not available on this server
      </h2>
      {models.length === 0 ? (
        <p className="text-sm text-slate-700">Every model the platform knows is installed.</p>
      ) : (
        <ul className="flex flex-col gap-2">
          {models.map((model) => (
            <li key={model.id} className="rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm">
              <div className="flex flex-wrap items-center gap-2">
                <h3 className="font-semibold break-words">{model.displayName}</h3>
                <KindBadge kind={model.kind} />
                <span className="text-slate-700">{TASKS[model.task].title}</span>
              </div>
              <p className="mt-1 break-words text-slate-800">{model.reason}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** What this server can run, per task: the default first, each neural or classical; then what is missing, and why. */
export function ModelsPage() {
  const models = useModels();
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-bold">Models</h1>
        <p className="mt-1 text-sm text-slate-700">
          The models installed on this server, best first. A job uses the default unless you choose another. Neural
          models are learned from data; classical ones are hand-designed signal processing.
        </p>
      </div>
      <ErrorAlert error={models.error} title="Could not load the models" />
      {models.isPending ? (
        <p role="status" className="text-slate-600">
          Loading models…
        </p>
      ) : null}
      {models.data ? (
        <>
          {TASK_ORDER.map((task) => (
            <TaskSection key={task} task={task} models={models.data.tasks[task]} />
          ))}
          <UnavailableSection models={models.data.unavailable} />
        </>
      ) : null}
    </div>
  );
}
