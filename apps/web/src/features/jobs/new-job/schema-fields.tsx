import type { ReactNode } from 'react';

import { Button } from '../../../components/button';
import type { FieldAdvisor, FieldChoices } from './field-choices';
import {
  type FieldErrors,
  type FieldKind,
  fieldKind,
  type FormObject,
  type FormValue,
  hasSlider,
  initialObject,
  initialValue,
  type JsonSchema,
  labelFor,
  optionLabel,
  rangeText,
  simplify,
  userDescription,
} from './json-schema';

/**
 * A form generated from a JSON schema: one labelled control per property, its default filled in, its range
 * and description as the hint, and the message for its dotted path (`steps.0.noise_level`) under it. The
 * schema's `const` properties (a step's `op`, a variant's `type`) are not fields.
 */
export interface SchemaFieldsProps {
  /** The step type, for the advisor (a `model` field lists that step's models). */
  op: string;
  schema: JsonSchema;
  values: FormObject;
  onChange: (values: FormObject) => void;
  errors: FieldErrors;
  /** Prefix of this form's keys in `errors`, e.g. `steps.1`. */
  errorPrefix: string;
  idPrefix: string;
  advisor?: FieldAdvisor | undefined;
}

export function SchemaFields(props: SchemaFieldsProps) {
  const hasFields = Object.values(props.schema.properties ?? {}).some((property) => !('const' in property));
  if (!hasFields) return <p className="text-sm text-slate-600">This step has no options.</p>;
  return <ObjectFields {...props} path={[]} />;
}

interface Context {
  op: string;
  errors: FieldErrors;
  errorPrefix: string;
  idPrefix: string;
  advisor?: FieldAdvisor | undefined;
}

function errorAt(context: Context, path: readonly string[]): string | undefined {
  return context.errors[[context.errorPrefix, ...path].filter(Boolean).join('.')];
}

function idAt(context: Context, path: readonly string[]): string {
  return [context.idPrefix, ...path].join('-').replace(/[^\w-]/g, '_');
}

function ObjectFields(
  props: Context & { path: string[]; schema: JsonSchema; values: FormObject; onChange: (values: FormObject) => void },
) {
  const { schema, values, onChange, path } = props;
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {}).filter(([, property]) => !('const' in property));
  if (entries.length === 0) return null;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {entries.map(([name, property]) => (
        <Field
          key={name}
          {...props}
          name={name}
          schema={property}
          required={required.has(name)}
          path={[...path, name]}
          value={values[name]}
          onChange={(value) => onChange({ ...values, [name]: value })}
        />
      ))}
    </div>
  );
}

interface FieldProps extends Context {
  name: string;
  schema: JsonSchema;
  required: boolean;
  path: string[];
  value: FormValue | undefined;
  onChange: (value: FormValue) => void;
}

function Field(props: FieldProps) {
  const { schema: raw, name, op, advisor } = props;
  const schema = simplify(raw).schema;
  const kind = fieldKind(schema);
  const advice = kind.kind === 'text' ? advisor?.(op, name, schema) : undefined;
  const label = labelFor(name, raw);
  switch (kind.kind) {
    case 'array':
      return <ArrayField {...props} label={label} kind={kind} />;
    case 'object':
      return (
        <fieldset className="flex flex-col gap-3 rounded-md border border-slate-200 p-3 sm:col-span-2">
          <legend className="px-1 text-sm font-medium text-slate-800">{label}</legend>
          <ObjectFields
            {...props}
            schema={kind.schema}
            values={isObject(props.value) ? props.value : {}}
            onChange={props.onChange}
          />
        </fieldset>
      );
    case 'variants':
      return <VariantFields {...props} label={label} kind={kind} />;
    case 'boolean':
    case 'enum':
    case 'number':
    case 'text':
      return (
        <ScalarField
          {...props}
          schema={schema}
          label={label}
          kind={kind}
          choices={advice && 'mode' in advice ? advice : undefined}
          extraHint={advice?.hint}
        />
      );
  }
}

function hintFor(schema: JsonSchema, kind: FieldKind, extra?: string): string | undefined {
  const parts = [userDescription(schema.description), rangeText(kind), extra];
  if (kind.kind === 'text' && kind.multiline && schema.maxLength !== undefined) {
    parts.push(`Up to ${schema.maxLength.toLocaleString('en-US')} characters.`);
  }
  const text = parts
    .filter((part): part is string => Boolean(part))
    .map((part) => (/[.!?)]$/.test(part) ? part : `${part}.`))
    .join(' ');
  return text || undefined;
}

/** Label, required mark, control, hint and error, tied together for assistive technology. */
function FieldShell({
  id,
  label,
  required,
  hint,
  error,
  wide,
  children,
}: {
  id: string;
  label: string;
  required: boolean;
  hint?: string | undefined;
  error?: string | undefined;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={`flex min-w-0 flex-col gap-1 ${wide ? 'sm:col-span-2' : ''}`}>
      <div className="flex items-baseline gap-1">
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          {label}
        </label>
        {required ? (
          <span aria-hidden="true" className="text-red-700" title="Required">
            *
          </span>
        ) : null}
      </div>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

const CONTROL = 'w-full min-w-0 rounded-md border px-3 py-2 text-base';

function describedBy(id: string, hint: string | undefined, error: string | undefined): string | undefined {
  return [error ? `${id}-error` : undefined, hint ? `${id}-hint` : undefined].filter(Boolean).join(' ') || undefined;
}

function sliderStep(kind: Extract<FieldKind, { kind: 'number' }>, low: number, high: number): number {
  if (kind.integer) return 1;
  return 10 ** Math.floor(Math.log10((high - low) / 100));
}

function ScalarField(
  props: FieldProps & {
    label: string;
    kind: Extract<FieldKind, { kind: 'boolean' | 'enum' | 'number' | 'text' }>;
    choices: FieldChoices | undefined;
    extraHint: string | undefined;
  },
) {
  const { schema, kind, label, required, value, onChange, choices } = props;
  const id = idAt(props, props.path);
  const error = errorAt(props, props.path);
  const hint = hintFor(schema, kind, props.extraHint);
  const common = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy(id, hint, error),
    'aria-required': required || undefined,
    className: `${CONTROL} ${error ? 'border-red-500' : 'border-slate-300'}`,
  };
  const text = typeof value === 'string' ? value : '';

  if (kind.kind === 'boolean') {
    return (
      <div className="flex min-w-0 flex-col gap-1">
        <div className="flex items-center gap-2">
          <input
            id={id}
            type="checkbox"
            className="h-4 w-4"
            checked={value === true}
            aria-describedby={common['aria-describedby']}
            onChange={(event) => onChange(event.target.checked)}
          />
          <label htmlFor={id} className="text-sm font-medium text-slate-800">
            {label}
          </label>
        </div>
        {hint ? (
          <p id={`${id}-hint`} className="text-xs text-slate-600">
            {hint}
          </p>
        ) : null}
        {error ? (
          <p id={`${id}-error`} className="text-sm text-red-700">
            {error}
          </p>
        ) : null}
      </div>
    );
  }

  let control: ReactNode;
  if (kind.kind === 'enum' || choices?.mode === 'select') {
    const options =
      kind.kind === 'enum'
        ? kind.values.map((option) => ({ value: String(option), label: optionLabel(option), group: undefined }))
        : (choices?.options ?? []);
    // A value set elsewhere (a link, a voice not listed) stays selectable rather than silently changing.
    const listed = text === '' || options.some((option) => option.value === text);
    const all = listed ? options : [{ value: text, label: text, group: undefined }, ...options];
    const empty = choices?.emptyLabel ?? (required || schema.default !== undefined ? 'Choose…' : 'Default');
    const groups = [...new Set(all.map((option) => option.group))];
    const render = (items: typeof all) =>
      items.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ));
    control = (
      <select {...common} value={text} onChange={(event) => onChange(event.target.value)}>
        {schema.default === undefined || text === '' ? <option value="">{empty}</option> : null}
        {groups.length > 1 || groups[0] !== undefined
          ? groups.map((group) =>
              group === undefined ? (
                render(all.filter((option) => option.group === undefined))
              ) : (
                <optgroup key={group} label={group}>
                  {render(all.filter((option) => option.group === group))}
                </optgroup>
              ),
            )
          : render(all)}
      </select>
    );
  } else if (kind.kind === 'number') {
    const low = kind.min ?? kind.exclusiveMin;
    const high = kind.max ?? kind.exclusiveMax;
    const number = (
      <input
        {...common}
        type="number"
        inputMode="decimal"
        step={kind.integer ? 1 : 'any'}
        min={kind.min}
        max={kind.max}
        placeholder={required ? undefined : 'Default'}
        value={text}
        onChange={(event) => onChange(event.target.value)}
      />
    );
    const current = Number(text);
    const slider = hasSlider(kind) && low !== undefined && high !== undefined;
    // An empty optional number means "the API's default", which a slider has no position for: the slider
    // appears once there is a value, after the input, in the same tree so the input keeps its focus.
    control = (
      <div className="flex items-center gap-3">
        <div className={slider ? 'w-28 shrink-0' : 'w-40 max-w-full'}>{number}</div>
        {slider && text.trim() !== '' && Number.isFinite(current) ? (
          <input
            type="range"
            aria-label={`${label} slider`}
            className="min-w-0 flex-1 accent-indigo-600"
            min={low}
            max={high}
            step={sliderStep(kind, low, high)}
            value={Math.min(high, Math.max(low, current))}
            onChange={(event) => onChange(event.target.value)}
          />
        ) : null}
      </div>
    );
  } else if (kind.multiline) {
    control = <textarea {...common} rows={3} value={text} onChange={(event) => onChange(event.target.value)} />;
  } else {
    const listId = choices?.mode === 'suggest' ? `${id}-suggestions` : undefined;
    control = (
      <>
        <input
          {...common}
          type="text"
          list={listId}
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
        {listId ? (
          <datalist id={listId}>
            {choices?.options.map((option) => (
              <option key={option.value} value={option.value} />
            ))}
          </datalist>
        ) : null}
      </>
    );
  }
  return (
    <FieldShell
      id={id}
      label={label}
      required={required}
      hint={hint}
      error={error}
      wide={kind.kind === 'text' && kind.multiline}
    >
      {control}
    </FieldShell>
  );
}

/** "Operations" → "operation": the noun of one item, for its buttons and legend. */
function singular(label: string): string {
  const lower = label.toLowerCase();
  return lower.endsWith('s') ? lower.slice(0, -1) : lower;
}

function ArrayField(props: FieldProps & { label: string; kind: Extract<FieldKind, { kind: 'array' }> }) {
  const { kind, label, value, onChange, path } = props;
  const items = Array.isArray(value) ? value : [];
  const noun = singular(label);
  const error = errorAt(props, path);
  const errorId = `${idAt(props, path)}-error`;
  const itemKind = fieldKind(kind.items);
  return (
    <fieldset
      className="flex flex-col gap-3 rounded-md border border-slate-200 p-3 sm:col-span-2"
      aria-describedby={error ? errorId : undefined}
    >
      <legend className="px-1 text-sm font-medium text-slate-800">
        {label}
        {props.required ? (
          <span aria-hidden="true" className="text-red-700">
            {' '}
            *
          </span>
        ) : null}
      </legend>
      {props.schema.description ? <p className="text-xs text-slate-600">{props.schema.description}</p> : null}
      {items.length === 0 ? <p className="text-sm text-slate-600">None yet.</p> : null}
      <ol className="flex flex-col gap-3">
        {items.map((item, index) => {
          const itemLabel = `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${index + 1}`;
          const itemPath = [...path, String(index)];
          const update = (next: FormValue) => onChange(items.map((old, at) => (at === index ? next : old)));
          const itemError = errorAt(props, itemPath);
          const remove = (
            <Button
              variant="secondary"
              className="self-start"
              disabled={items.length <= kind.minItems}
              onClick={() => onChange(items.filter((_, at) => at !== index))}
            >
              Remove {noun}
            </Button>
          );
          return (
            <li key={index}>
              <fieldset className="flex flex-col gap-3 rounded-md bg-slate-50 p-3">
                <legend className="text-sm font-semibold text-slate-800">{itemLabel}</legend>
                {itemKind.kind === 'variants' || itemKind.kind === 'object' ? (
                  <Field
                    {...props}
                    name={noun}
                    schema={kind.items}
                    required
                    path={itemPath}
                    value={item}
                    onChange={update}
                  />
                ) : (
                  <Field
                    {...props}
                    name={itemLabel}
                    schema={kind.items}
                    required
                    path={itemPath}
                    value={item}
                    onChange={update}
                  />
                )}
                {itemError && (itemKind.kind === 'variants' || itemKind.kind === 'object') ? (
                  <p className="text-sm text-red-700">{itemError}</p>
                ) : null}
                {remove}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <Button
        variant="secondary"
        className="self-start"
        disabled={kind.maxItems !== undefined && items.length >= kind.maxItems}
        onClick={() => onChange([...items, initialValue(kind.items)])}
      >
        Add {noun}
      </Button>
      {error ? (
        <p id={errorId} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** Object variants (the edit step's operations): a select of the variant, then that variant's fields. */
function VariantFields(props: FieldProps & { label: string; kind: Extract<FieldKind, { kind: 'variants' }> }) {
  const { kind, value, onChange, path } = props;
  const { discriminator, options } = kind.variants;
  const object = isObject(value) ? value : {};
  const chosen = options.find((option) => option.value === object[discriminator]) ?? options[0];
  const id = idAt(props, [...path, discriminator]);
  return (
    <div className="flex flex-col gap-3">
      <FieldShell id={id} label={labelFor(discriminator)} required>
        <select
          id={id}
          className={`${CONTROL} border-slate-300`}
          value={chosen?.value ?? ''}
          onChange={(event) => {
            const next = options.find((option) => option.value === event.target.value);
            if (next) onChange(initialObject(next.schema));
          }}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {optionLabel(option.value)}
            </option>
          ))}
        </select>
      </FieldShell>
      {chosen ? (
        <ObjectFields
          {...props}
          schema={chosen.schema}
          values={object}
          onChange={(next) => onChange({ ...next, [discriminator]: chosen.value })}
        />
      ) : null}
    </div>
  );
}

function isObject(value: FormValue | undefined): value is FormObject {
  return typeof value === 'object' && !Array.isArray(value);
}
