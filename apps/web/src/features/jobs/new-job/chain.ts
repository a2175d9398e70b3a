import { type FieldErrors, type FormObject, initialObject, type JsonSchema, parseObject } from './json-schema';
import { type StepCatalog, type StepType, UPLOAD_JOB_PATH } from './step-types';

/** One step of the chain being built; `key` keeps React's identity through reordering. */
export interface ChainStep {
  key: string;
  op: string;
  values: FormObject;
}

let nextKey = 0;
export function newStep(type: StepType, values: FormObject = {}): ChainStep {
  nextKey += 1;
  return { key: `step-${nextKey}`, op: type.op, values: { ...initialObject(fieldsSchema(type.schema)), ...values } };
}

/** A step schema without its discriminator and the fields the platform sets itself: what the form shows. */
export function fieldsSchema(schema: JsonSchema): JsonSchema {
  const { op: _op, ...all } = schema.properties ?? {};
  const properties = Object.fromEntries(Object.entries(all).filter(([, property]) => property['x-internal'] !== true));
  return { ...schema, properties, required: (schema.required ?? []).filter((name) => name in properties) };
}

/**
 * The API's chain rules: a step that makes audio (TTS, generators) can only come first; every other step runs
 * on audio, so it may follow an upload or a generated clip. An upload takes at most `maxAudioSteps` steps, and a
 * generated clip as many after it.
 */
export function allowedOps(catalog: StepCatalog, position: number): StepType[] {
  return position === 0 ? catalog.types : catalog.types.filter((type) => type.source === 'audio');
}

export function maxSteps(catalog: StepCatalog, first: StepType | undefined): number {
  return first && first.source !== 'audio' ? catalog.maxAudioSteps + 1 : catalog.maxAudioSteps;
}

export function canMove(catalog: StepCatalog, steps: readonly ChainStep[], from: number, to: number): boolean {
  if (to < 0 || to >= steps.length || from === to) return false;
  const moved = steps[from];
  const displaced = steps[to];
  if (!moved || !displaced) return false;
  // Whatever lands first may be any step; whatever leaves the first place must run on audio.
  const landingFirst = to === 0 ? moved : from === 0 ? displaced : undefined;
  const leavingFirst = from === 0 ? moved : to === 0 ? displaced : undefined;
  return (
    (landingFirst === undefined || catalog.byOp.has(landingFirst.op)) &&
    (leavingFirst === undefined || catalog.byOp.get(leavingFirst.op)?.source === 'audio')
  );
}

export function move<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  const [item] = next.splice(from, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
}

/** Whether the API adds its final loudness normalisation (a transcript-only job and a closing normalize don't). */
export function appendsNormalize(steps: readonly ChainStep[]): boolean {
  if (steps.length === 0) return false;
  return steps.at(-1)?.op !== 'normalize' && !steps.every((step) => step.op === 'stt');
}

/** What a submit sends: a multipart upload to POST /api/jobs, or a JSON body to the first step's endpoint. */
export type JobRequest =
  | { kind: 'upload'; path: typeof UPLOAD_JOB_PATH; steps: Record<string, unknown>[] }
  | {
      kind: 'json';
      path: string;
      body: Record<string, unknown>;
      /** Body properties that hold some of the first step's fields (`parameters`). */
      containers: string[];
    };

export interface BuiltJob {
  request?: JobRequest;
  /** Per field, keyed as the chain shows them: `steps.1.target_language`, `text`, `steps` (the chain itself). */
  errors: FieldErrors;
  /** The parsed steps, for the cost estimate (whatever could be parsed, even with errors elsewhere). */
  steps: Record<string, unknown>[];
}

/**
 * Validates every step against its schema and builds the request. Errors are keyed by the API's own field names
 * for POST /api/jobs (`steps.<index>.<field>`), so client and server messages land in the same place.
 */
export function buildJob(
  catalog: StepCatalog,
  steps: readonly ChainStep[],
  text: { value: string; maxLength?: number },
): BuiltJob {
  const errors: FieldErrors = {};
  const parsed = steps.map((step, index) => {
    const type = catalog.byOp.get(step.op);
    if (!type) {
      errors[`steps.${index}`] = `Unknown step type "${step.op}".`;
      return { op: step.op };
    }
    const { value } = parseObject(fieldsSchema(type.schema), step.values, ['steps', String(index)], errors);
    return { op: step.op, ...value };
  });
  const first = steps[0] ? catalog.byOp.get(steps[0].op) : undefined;
  if (!first) {
    errors['steps'] ??= 'Choose what the job should do.';
    return { errors, steps: parsed };
  }
  if (steps.length > maxSteps(catalog, first)) errors['steps'] = `At most ${maxSteps(catalog, first)} steps.`;
  steps.forEach((step, index) => {
    if (index > 0 && catalog.byOp.get(step.op)?.source !== 'audio') {
      errors[`steps.${index}`] ??= `${catalog.byOp.get(step.op)?.label ?? step.op} can only be the first step.`;
    }
  });
  if (first.source === 'text') {
    const trimmed = text.value.trim();
    if (trimmed === '') errors['text'] = 'Required.';
    else if (text.maxLength !== undefined && text.value.length > text.maxLength) {
      errors['text'] = `Must be at most ${text.maxLength.toLocaleString('en-US')} characters.`;
    }
  }
  if (Object.keys(errors).length > 0) return { errors, steps: parsed };
  if (first.source === 'audio' || !first.endpoint) {
    return { errors, steps: parsed, request: { kind: 'upload', path: UPLOAD_JOB_PATH, steps: parsed } };
  }
  const [head, ...rest] = parsed;
  const { body, containers } = placeFields(first.endpoint.body, head ?? {});
  if (first.source === 'text') body['text'] = text.value;
  if (rest.length > 0) body['then'] = rest;
  return { errors, steps: parsed, request: { kind: 'json', path: first.endpoint.path, body, containers } };
}

/**
 * The first step's fields laid out as its endpoint's body wants them: at the top when the body has the
 * property, else inside the object property that has it (TTS `parameters.speed`, music `parameters.tempo`).
 */
function placeFields(body: JsonSchema, step: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  const properties = body.properties ?? {};
  const containers = Object.entries(properties)
    .filter(([name, property]) => property.properties !== undefined && !(name in step))
    .map(([name]) => name);
  for (const [name, value] of Object.entries(step)) {
    if (name === 'op') continue;
    if (name in properties) {
      out[name] = value;
      continue;
    }
    const container = containers.find((candidate) => properties[candidate]?.properties?.[name] !== undefined);
    if (!container) continue;
    const inner = (out[container] ??= {}) as Record<string, unknown>;
    inner[name] = value;
  }
  return { body: out, containers };
}

/**
 * The API's validation details (`{ field, message }`) keyed as the chain shows them. POST /api/jobs names
 * `steps.1.target_language` already; a JSON job names the first step's fields at the top or in `parameters`,
 * and the later ones under `then.<index>`.
 */
export function mapApiFieldErrors(request: JobRequest, fields: Record<string, string>): FieldErrors {
  const mapped: FieldErrors = {};
  for (const [field, message] of Object.entries(fields)) {
    mapped[chainField(request, field)] ??= sentence(message);
  }
  return mapped;
}

function chainField(request: JobRequest, field: string): string {
  if (request.kind === 'upload') return field === '' ? 'steps' : field;
  const [head, ...rest] = field.split('.');
  if (head === 'text') return 'text';
  if (head === 'then') {
    const [index, ...inner] = rest;
    return index === undefined ? 'steps' : ['steps', String(Number(index) + 1), ...inner].join('.');
  }
  if (head === undefined || head === '') return 'steps';
  // `parameters.pitch` is the first step's `pitch`.
  if (request.containers.includes(head)) return rest.length > 0 ? ['steps', '0', ...rest].join('.') : 'steps.0';
  return ['steps', '0', head, ...rest].join('.');
}

/** The API writes "must be …" to follow a field name; at the field it starts the sentence. */
function sentence(message: string): string {
  const trimmed = message.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
