import { useRef, useState } from 'react';

import { Button } from '../../../components/button';
import { appendsNormalize, allowedOps, canMove, type ChainStep, fieldsSchema, maxSteps, move, newStep } from './chain';
import type { FieldAdvisor } from './field-choices';
import type { FieldErrors, FormObject } from './json-schema';
import { SchemaFields } from './schema-fields';
import type { StepCatalog } from './step-types';

/**
 * The steps of the job, in order, each with the form of its schema. Steps are added from the types allowed at
 * the end of the chain, moved and removed with buttons. Move buttons that cannot act are aria-disabled rather
 * than disabled, so a keyboard user's focus stays on the button that just moved its step to the top.
 */
export function ChainBuilder({
  catalog,
  steps,
  onChange,
  errors,
  advisor,
  disabled,
}: {
  catalog: StepCatalog;
  steps: ChainStep[];
  onChange: (steps: ChainStep[]) => void;
  errors: FieldErrors;
  advisor: FieldAdvisor;
  disabled: boolean;
}) {
  const addable = allowedOps(catalog, steps.length);
  const [nextOp, setNextOp] = useState(() => addable.find((type) => type.op !== steps.at(-1)?.op)?.op ?? '');
  const heading = useRef<HTMLHeadingElement>(null);
  const first = steps[0] ? catalog.byOp.get(steps[0].op) : undefined;
  const limit = maxSteps(catalog, first);
  const chosenNext = addable.some((type) => type.op === nextOp) ? nextOp : (addable[0]?.op ?? '');

  const update = (index: number, values: FormObject) =>
    onChange(steps.map((step, at) => (at === index ? { ...step, values } : step)));

  return (
    <section aria-labelledby="steps-heading" className="flex flex-col gap-4">
      <div>
        <h2 id="steps-heading" ref={heading} tabIndex={-1} className="text-lg font-semibold">
          Steps
        </h2>
        <p className="text-sm text-slate-600">
          Each step works on what the one before it produced, in one job with one bill.
        </p>
      </div>
      {errors['steps'] ? (
        <p role="alert" className="text-sm text-red-700">
          {errors['steps']}
        </p>
      ) : null}
      <ol className="flex flex-col gap-4">
        {steps.map((step, index) => {
          const type = catalog.byOp.get(step.op);
          const legend = `Step ${index + 1}: ${type?.label ?? step.op}`;
          const stepError = errors[`steps.${index}`];
          const up = canMove(catalog, steps, index, index - 1);
          const down = canMove(catalog, steps, index, index + 1);
          return (
            <li key={step.key}>
              <fieldset
                aria-labelledby={`${step.key}-title`}
                className="flex min-w-0 flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4"
              >
                <div className="flex flex-wrap items-start justify-between gap-2">
                  <div className="min-w-0">
                    <h3 id={`${step.key}-title`} className="font-semibold text-slate-900">
                      {legend}
                    </h3>
                    {type?.summary ? <p className="text-sm text-slate-600">{type.summary}</p> : null}
                  </div>
                  <div className="flex flex-wrap gap-2">
                    <Button
                      variant="secondary"
                      className="px-3 py-1 aria-disabled:cursor-not-allowed aria-disabled:text-slate-400"
                      aria-disabled={!up || disabled}
                      onClick={() => up && !disabled && onChange(move(steps, index, index - 1))}
                    >
                      Move up
                    </Button>
                    <Button
                      variant="secondary"
                      className="px-3 py-1 aria-disabled:cursor-not-allowed aria-disabled:text-slate-400"
                      aria-disabled={!down || disabled}
                      onClick={() => down && !disabled && onChange(move(steps, index, index + 1))}
                    >
                      Move down
                    </Button>
                    <Button
                      variant="secondary"
                      className="px-3 py-1"
                      disabled={steps.length <= 1 || disabled}
                      onClick={() => {
                        onChange(steps.filter((_, at) => at !== index));
                        heading.current?.focus();
                      }}
                    >
                      Remove
                    </Button>
                  </div>
                </div>
                {stepError ? <p className="text-sm text-red-700">{stepError}</p> : null}
                {type ? (
                  <SchemaFields
                    op={step.op}
                    schema={fieldsSchema(type.schema)}
                    values={step.values}
                    onChange={(values) => update(index, values)}
                    errors={errors}
                    errorPrefix={`steps.${index}`}
                    idPrefix={step.key}
                    advisor={advisor}
                  />
                ) : null}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor="next-step" className="text-sm font-medium text-slate-800">
            Next step
          </label>
          <select
            id="next-step"
            className="min-w-0 rounded-md border border-slate-300 px-3 py-2 text-base"
            value={chosenNext}
            disabled={disabled || steps.length >= limit}
            onChange={(event) => setNextOp(event.target.value)}
          >
            {addable.map((type) => (
              <option key={type.op} value={type.op}>
                {type.label}
              </option>
            ))}
          </select>
        </div>
        <Button
          variant="secondary"
          disabled={disabled || steps.length >= limit || !catalog.byOp.has(chosenNext)}
          onClick={() => {
            const type = catalog.byOp.get(chosenNext);
            if (type) onChange([...steps, newStep(type)]);
          }}
        >
          Add step
        </Button>
        {steps.length >= limit ? <p className="text-sm text-slate-600">A job has at most {limit} steps.</p> : null}
      </div>
      {appendsNormalize(steps) ? (
        <p className="text-sm text-slate-600">
          The job ends with a loudness normalisation (−16 LUFS, −1 dBTP, or the target a step set), added automatically
          because the last step is not Normalize.
        </p>
      ) : null}
    </section>
  );
}
