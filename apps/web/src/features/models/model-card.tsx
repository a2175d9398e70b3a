import { KIND_LABELS, languageName, splitForDisplay } from './model-text';
import type { InstalledModel } from './use-models';

const KIND_STYLES: Record<InstalledModel['kind'], string> = {
  neural: 'bg-violet-100 text-violet-900',
  classical: 'bg-teal-100 text-teal-900',
};

export function KindBadge({ kind }: { kind: InstalledModel['kind'] }) {
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${KIND_STYLES[kind]}`}>{KIND_LABELS[kind]}</span>
  );
}

function FoldedList({ label, items }: { label: string; items: readonly string[] }) {
  const { visible, folded } = splitForDisplay(items);
  return (
    <>
      {visible.join(', ')}
      {folded.length > 0 ? (
        <details className="mt-1">
          <summary className="cursor-pointer text-indigo-700 underline">
            {folded.length} more {label}
          </summary>
          <p className="mt-1 break-words">{folded.join(', ')}</p>
        </details>
      ) : null}
    </>
  );
}

/** One installed model: what it is, how it runs, and what it accepts. */
export function ModelCard({ model }: { model: InstalledModel }) {
  const languages = model.languages.map(languageName);
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="font-semibold break-words">{model.displayName}</h3>
        <KindBadge kind={model.kind} />
        {model.default ? (
          <span className="rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-semibold text-indigo-900">Default</span>
        ) : null}
      </div>
      <dl className="mt-2 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
        <dt className="text-slate-600">Model id</dt>
        <dd className="break-all">
          <code>{model.id}</code>
        </dd>
        <dt className="text-slate-600">Languages</dt>
        <dd className="break-words">
          <FoldedList label="languages" items={languages} />
        </dd>
        {model.voices && model.voices.length > 0 ? (
          <>
            <dt className="text-slate-600">Voices</dt>
            <dd className="break-words">
              <FoldedList label="voices" items={model.voices} />
            </dd>
          </>
        ) : null}
        <dt className="text-slate-600">Runtime</dt>
        <dd>
          {model.runtime}
          {/* Text-only models (translation) have no audio rate. */}
          {model.sampleRate > 0 ? `, ${model.sampleRate / 1000} kHz` : null}
        </dd>
        <dt className="text-slate-600">Licence</dt>
        <dd className="break-words">{model.licence}</dd>
      </dl>
    </li>
  );
}
