import type { StepType } from './step-types';

const SOURCE_NOTE = { audio: 'Uses your audio', text: 'Starts from text', none: 'Makes new audio' } as const;

/** What the job does first: one radio per step type, each with the registry's one-line summary. */
export function CapabilityPicker({
  types,
  value,
  onChange,
  disabled,
}: {
  types: StepType[];
  value: string | undefined;
  onChange: (op: string) => void;
  disabled: boolean;
}) {
  return (
    <fieldset className="flex min-w-0 flex-col gap-3">
      <legend className="mb-1 text-lg font-semibold">What do you want to do?</legend>
      <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
        {types.map((type) => {
          const id = `capability-${type.op}`;
          const checked = type.op === value;
          return (
            <div
              key={type.op}
              className={`relative flex min-w-0 gap-3 rounded-lg border p-3 ${checked ? 'border-indigo-600 bg-indigo-50' : 'border-slate-200 bg-white'}`}
            >
              <input
                id={id}
                type="radio"
                name="capability"
                value={type.op}
                checked={checked}
                disabled={disabled}
                aria-describedby={`${id}-summary`}
                className="mt-1 h-4 w-4 shrink-0 accent-indigo-600"
                onChange={() => onChange(type.op)}
              />
              <div className="min-w-0">
                {/* The label covers the card, so the whole card is the click target. */}
                <label htmlFor={id} className="font-semibold text-slate-900 after:absolute after:inset-0">
                  {type.label}
                </label>
                <p id={`${id}-summary`} className="text-sm text-slate-600">
                  {type.summary}
                </p>
                <p className="text-xs font-medium text-slate-600">{SOURCE_NOTE[type.source]}</p>
              </div>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
