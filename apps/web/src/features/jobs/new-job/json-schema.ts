/**
 * The subset of JSON Schema (draft 2020-12, as `z.toJSONSchema` writes it) that the step schemas use, and the
 * pure logic the generated forms need: what control a property becomes, and how a form's values become the
 * request value, with the constraint messages shown at each field.
 */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: readonly JsonSchema[];
  oneOf?: readonly JsonSchema[];
  $ref?: string;
  /** A field the platform sets itself (e.g. TTS `stream`); forms leave it out. */
  'x-internal'?: boolean;
}

/** What a form holds while the user edits: numbers stay text until submit, so "-" or "1." can be typed. */
export type FormValue = string | boolean | FormValue[] | FormObject;
export interface FormObject {
  [name: string]: FormValue;
}

/** The property that names a step type: it is chosen by the picker, never a field. */
export const DISCRIMINATOR = 'op';

/** "noise_level" → "Noise level", "target_lufs" → "Target LUFS", unless the schema has a title. */
export function labelFor(name: string, schema?: JsonSchema): string {
  if (schema?.title) return schema.title;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((word) => (ACRONYMS.has(word.toLowerCase()) ? word.toUpperCase() : word.toLowerCase()));
  const sentence = words.join(' ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

const ACRONYMS = new Set(['lufs', 'id', 'sfx', 'tts', 'stt', 'url', 'db']);

/** A description as a form shows it: the API's readers get routes ("(GET /api/models)"), a form's reader none. */
export function userDescription(description: string | undefined): string | undefined {
  return description?.replace(/\s*\((?:GET|POST|PUT|PATCH|DELETE) \/api\/[^)]*\)/g, '');
}

/** An enum value or const as a user reads it: "remove_blooper" → "Remove blooper". */
export function optionLabel(value: unknown): string {
  return typeof value === 'string' ? labelFor(value) : String(value);
}

function types(schema: JsonSchema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/**
 * A schema with the parts that do not change the control taken out: `null` branches (a nullable field is an
 * optional one) and a single remaining anyOf/oneOf branch.
 */
export function simplify(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const branches = schema.anyOf ?? schema.oneOf;
  let nullable = types(schema).includes('null');
  if (branches) {
    const nonNull = branches.filter((branch) => !(types(branch).length === 1 && types(branch)[0] === 'null'));
    nullable ||= nonNull.length < branches.length;
    if (nonNull.length === 1 && nonNull[0]) {
      const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = schema;
      const inner = simplify({ ...rest, ...nonNull[0] });
      return { schema: inner.schema, nullable: nullable || inner.nullable };
    }
    const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = schema;
    return { schema: { ...rest, anyOf: nonNull }, nullable };
  }
  if (nullable && Array.isArray(schema.type)) {
    const remaining = schema.type.filter((type) => type !== 'null');
    return { schema: { ...schema, type: remaining.length === 1 ? remaining[0] : remaining }, nullable };
  }
  return { schema, nullable };
}

/** The values a field may take when it is a closed list (an enum, or a union of constants). */
function enumValues(schema: JsonSchema): unknown[] | undefined {
  if (schema.enum) return [...schema.enum];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && branches.length > 0 && branches.every((branch) => 'const' in branch || branch.enum)) {
    return branches.flatMap((branch) => ('const' in branch ? [branch.const] : [...(branch.enum ?? [])]));
  }
  return undefined;
}

/** Object variants told apart by a property with a constant in each (the edit step's `type`). */
export interface Variants {
  discriminator: string;
  options: { value: string; schema: JsonSchema }[];
}

function variantsOf(schema: JsonSchema): Variants | undefined {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!branches || branches.length === 0 || !branches.every((branch) => branch.properties)) return undefined;
  const first = branches[0]?.properties ?? {};
  const discriminator = Object.keys(first).find((name) =>
    branches.every((branch) => typeof branch.properties?.[name]?.const === 'string'),
  );
  if (!discriminator) return undefined;
  return {
    discriminator,
    options: branches.map((branch) => ({ value: String(branch.properties?.[discriminator]?.const), schema: branch })),
  };
}

/** Numbers whose range fits a slider without every step being too fine to hit. */
const MAX_SLIDER_SPAN = 1000;
/** Strings longer than this get a text area. */
const LONG_TEXT_CHARS = 200;

export type FieldKind =
  | { kind: 'enum'; values: unknown[] }
  | { kind: 'number'; integer: boolean; min?: number; max?: number; exclusiveMin?: number; exclusiveMax?: number }
  | { kind: 'boolean' }
  | { kind: 'text'; multiline: boolean }
  | { kind: 'object'; schema: JsonSchema }
  | { kind: 'array'; items: JsonSchema; minItems: number; maxItems?: number }
  | { kind: 'variants'; variants: Variants };

/** The control a (simplified) property schema becomes. */
export function fieldKind(schema: JsonSchema): FieldKind {
  const values = enumValues(schema);
  if (values) return { kind: 'enum', values };
  const variants = variantsOf(schema);
  if (variants) return { kind: 'variants', variants };
  const branches = schema.anyOf ?? schema.oneOf;
  // Any other union: the first branch is the one a form can offer.
  if (branches?.[0]) return fieldKind(simplify(branches[0]).schema);
  const [type] = types(schema);
  switch (type) {
    case 'number':
    case 'integer':
      return {
        kind: 'number',
        integer: type === 'integer',
        ...(schema.minimum !== undefined ? { min: schema.minimum } : {}),
        ...(schema.maximum !== undefined ? { max: schema.maximum } : {}),
        ...(schema.exclusiveMinimum !== undefined ? { exclusiveMin: schema.exclusiveMinimum } : {}),
        ...(schema.exclusiveMaximum !== undefined ? { exclusiveMax: schema.exclusiveMaximum } : {}),
      };
    case 'boolean':
      return { kind: 'boolean' };
    case 'object':
      return { kind: 'object', schema };
    case 'array':
      return {
        kind: 'array',
        items: simplify(schema.items ?? {}).schema,
        minItems: schema.minItems ?? 0,
        ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}),
      };
    default:
      return { kind: 'text', multiline: (schema.maxLength ?? 0) > LONG_TEXT_CHARS };
  }
}

/** Whether a number field also gets a slider (both ends known and a span a slider can cover). */
export function hasSlider(kind: FieldKind): kind is Extract<FieldKind, { kind: 'number' }> & { min: number } {
  if (kind.kind !== 'number') return false;
  const low = kind.min ?? kind.exclusiveMin;
  const high = kind.max ?? kind.exclusiveMax;
  return low !== undefined && high !== undefined && high - low <= MAX_SLIDER_SPAN;
}

/** "From 0.5 to 2", "0 or more", "More than 0": the range as the hint shows it. */
export function rangeText(kind: FieldKind): string | undefined {
  if (kind.kind !== 'number') return undefined;
  const low = kind.min ?? kind.exclusiveMin;
  const high = kind.max ?? kind.exclusiveMax;
  const whole = kind.integer ? 'Whole number' : undefined;
  let range: string | undefined;
  if (low !== undefined && high !== undefined) range = `from ${formatNumber(low)} to ${formatNumber(high)}`;
  else if (kind.min !== undefined) range = `${formatNumber(kind.min)} or more`;
  else if (kind.exclusiveMin !== undefined) range = `more than ${formatNumber(kind.exclusiveMin)}`;
  else if (kind.max !== undefined) range = `${formatNumber(kind.max)} or less`;
  else if (kind.exclusiveMax !== undefined) range = `less than ${formatNumber(kind.exclusiveMax)}`;
  const text = [whole, range].filter(Boolean).join(', ');
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : undefined;
}

function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** The value a field starts with: its schema default, or empty. */
export function initialValue(schema: JsonSchema): FormValue {
  const simple = simplify(schema).schema;
  const kind = fieldKind(simple);
  switch (kind.kind) {
    case 'boolean':
      return simple.default === true;
    case 'object':
      return initialObject(simple);
    case 'array': {
      if (Array.isArray(simple.default)) return simple.default.map((item) => fromJson(item));
      // A list that must have items starts with one, so its form is there to fill in.
      return Array.from({ length: kind.minItems }, () => initialValue(kind.items));
    }
    case 'variants': {
      const first = kind.variants.options[0];
      return first ? initialObject(first.schema) : {};
    }
    case 'enum':
    case 'number':
    case 'text':
      return simple.default === undefined || simple.default === null ? '' : String(simple.default);
  }
}

/** Every property's starting value, the constants (such as a variant's `type`) included. */
export function initialObject(schema: JsonSchema): FormObject {
  const values: FormObject = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    values[name] = 'const' in property ? String(property.const) : initialValue(property);
  }
  return values;
}

function fromJson(value: unknown): FormValue {
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(fromJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fromJson(inner)]));
  }
  return value === undefined || value === null ? '' : String(value);
}

/** Errors keyed by dotted path (`operations.0.end_time`), the way the API names fields. */
export type FieldErrors = Record<string, string>;

/**
 * Converts a form's values to the request value under `schema`, collecting a message for every constraint the
 * schema states (required, type, range, length, pattern, enum, items). Empty optional fields are left out, so
 * the API applies its own defaults.
 */
export function parseObject(
  schema: JsonSchema,
  values: FormObject,
  path: string[] = [],
  errors: FieldErrors = {},
): { value: Record<string, unknown>; errors: FieldErrors } {
  const value: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if ('const' in property) {
      value[name] = property.const;
      continue;
    }
    const parsed = parseValue(property, values[name], required.has(name), [...path, name], errors);
    if (parsed !== undefined) value[name] = parsed;
  }
  return { value, errors };
}

function isEmpty(value: FormValue | undefined): boolean {
  return value === undefined || (typeof value === 'string' && value.trim() === '');
}

function parseValue(
  schema: JsonSchema,
  raw: FormValue | undefined,
  required: boolean,
  path: string[],
  errors: FieldErrors,
): unknown {
  const { schema: simple } = simplify(schema);
  const kind = fieldKind(simple);
  const key = path.join('.');
  const fail = (message: string) => {
    errors[key] ??= message;
    return undefined;
  };
  switch (kind.kind) {
    case 'boolean':
      return raw === true;
    case 'object':
      return parseObject(simple, isObject(raw) ? raw : {}, path, errors).value;
    case 'variants': {
      const object = isObject(raw) ? raw : {};
      const chosen = kind.variants.options.find((option) => option.value === object[kind.variants.discriminator]);
      if (!chosen) return fail(`Choose one of: ${kind.variants.options.map((o) => optionLabel(o.value)).join(', ')}.`);
      return parseObject(chosen.schema, object, path, errors).value;
    }
    case 'array': {
      const items = Array.isArray(raw) ? raw : [];
      if (items.length === 0 && !required && kind.minItems === 0) return undefined;
      if (items.length < kind.minItems) {
        return fail(kind.minItems === 1 ? 'Add at least one.' : `Add at least ${kind.minItems}.`);
      }
      if (kind.maxItems !== undefined && items.length > kind.maxItems) return fail(`At most ${kind.maxItems}.`);
      return items.map((item, index) => parseValue(kind.items, item, true, [...path, String(index)], errors));
    }
    case 'enum': {
      if (isEmpty(raw)) return required ? fail('Required.') : undefined;
      const match = kind.values.find((candidate) => String(candidate) === raw);
      if (match === undefined) return fail(`Choose one of: ${kind.values.map(optionLabel).join(', ')}.`);
      return match;
    }
    case 'number': {
      if (isEmpty(raw)) return required ? fail('Required.') : undefined;
      const number = Number(typeof raw === 'string' ? raw.trim() : NaN);
      if (!Number.isFinite(number)) return fail('Must be a number.');
      if (kind.integer && !Number.isInteger(number)) return fail('Must be a whole number.');
      if (kind.min !== undefined && number < kind.min) return fail(`Must be at least ${formatNumber(kind.min)}.`);
      if (kind.max !== undefined && number > kind.max) return fail(`Must be at most ${formatNumber(kind.max)}.`);
      if (kind.exclusiveMin !== undefined && number <= kind.exclusiveMin) {
        return fail(`Must be more than ${formatNumber(kind.exclusiveMin)}.`);
      }
      if (kind.exclusiveMax !== undefined && number >= kind.exclusiveMax) {
        return fail(`Must be less than ${formatNumber(kind.exclusiveMax)}.`);
      }
      return number;
    }
    case 'text': {
      // The API trims every string field before checking it, so a field of spaces is an empty one.
      const text = typeof raw === 'string' ? raw.trim() : '';
      if (text === '') {
        if (required) return fail('Required.');
        const onlySpaces = typeof raw === 'string' && raw !== '' && (simple.minLength ?? 0) > 0;
        return onlySpaces ? fail('Must not be only spaces.') : undefined;
      }
      if (simple.minLength !== undefined && text.length < simple.minLength) {
        return fail(`Must be at least ${simple.minLength} characters.`);
      }
      if (simple.maxLength !== undefined && text.length > simple.maxLength) {
        return fail(`Must be at most ${simple.maxLength.toLocaleString('en-US')} characters.`);
      }
      if (simple.pattern !== undefined && !new RegExp(simple.pattern, 'u').test(text)) {
        return fail('Is not in the expected format.');
      }
      return text;
    }
  }
}

function isObject(value: FormValue | undefined): value is FormObject {
  return typeof value === 'object' && !Array.isArray(value);
}
