import openapi from '../../../api/openapi.json';
import { DISCRIMINATOR, type JsonSchema, labelFor } from './json-schema';

/**
 * Every step type the job builder offers, read from the committed OpenAPI document (so from the step registry in
 * @voice/shared): each `Step_<op>` schema gives the form, its description the one-line summary. Which steps take
 * audio, and how the others are submitted, is read from the document too:
 * - the steps that may run on audio are the items of a generator's `then` (the API's audioStepsSchema), which
 *   is also what POST /api/jobs accepts after an upload;
 * - a step that makes the audio (TTS, music, sound effects) is submitted to `POST /api/audio/<op>` as JSON; its
 *   fields sit at the top of that body or in one of its objects (`parameters`), and a `text` property means the
 *   job starts from text.
 */

/** Where a job's material comes from when this step is first. */
export type StepSource = 'audio' | 'text' | 'none';

export interface JsonEndpoint {
  path: string;
  /** The request body's schema: where each step field goes, and the `then` and `text` properties. */
  body: JsonSchema;
}

export interface StepType {
  op: string;
  label: string;
  summary: string;
  schema: JsonSchema;
  source: StepSource;
  /** For a step that makes the audio: the endpoint that starts its job. */
  endpoint?: JsonEndpoint;
}

interface OpenApiOperation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface OpenApiDocument {
  paths: Record<string, { post?: OpenApiOperation }>;
  components: { schemas: Record<string, JsonSchema> };
}

const STEP_PREFIX = 'Step_';
/** The multipart upload route every audio chain goes to. */
export const UPLOAD_JOB_PATH = '/api/jobs';

function jsonBody(operation: OpenApiOperation | undefined): JsonSchema | undefined {
  return operation?.requestBody?.content?.['application/json']?.schema;
}

/** The `op` constants of a list of step schemas. */
function opsOf(items: JsonSchema | undefined): string[] {
  const branches = items?.anyOf ?? items?.oneOf ?? [];
  return branches
    .map((branch) => branch.properties?.[DISCRIMINATOR]?.const)
    .filter((op): op is string => typeof op === 'string');
}

export interface StepCatalog {
  types: StepType[];
  byOp: ReadonlyMap<string, StepType>;
  /** The most steps that may follow an upload, or follow the step that made the audio. */
  maxAudioSteps: number;
}

export function buildCatalog(document: OpenApiDocument): StepCatalog {
  const schemas = document.components.schemas;
  const jsonPosts = Object.entries(document.paths).flatMap(([path, item]) => {
    const body = jsonBody(item.post);
    return body ? [{ path, body }] : [];
  });
  // Any generator's `then` lists the audio steps (they share one schema in the API).
  const then = jsonPosts.map(({ body }) => body.properties?.['then']).find((property) => property?.items);
  const audioOps = new Set(opsOf(then?.items));
  const types: StepType[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    if (!name.startsWith(STEP_PREFIX)) continue;
    const op = name.slice(STEP_PREFIX.length);
    const base = { op, label: labelFor(op, schema), summary: schema.description ?? '', schema };
    if (audioOps.has(op)) {
      types.push({ ...base, source: 'audio' });
      continue;
    }
    const endpoint = jsonPosts.find(({ path }) => path === `/api/audio/${op.replaceAll('_', '-')}`);
    // A step that neither runs on audio nor has an endpoint of its own cannot be submitted from here.
    if (!endpoint) continue;
    types.push({ ...base, source: endpoint.body.properties?.['text'] ? 'text' : 'none', endpoint });
  }
  return {
    types,
    byOp: new Map(types.map((type) => [type.op, type])),
    maxAudioSteps: then?.maxItems ?? 10,
  };
}

/** The catalogue of this build: the document is imported at build time, so it always matches the client. */
export const STEP_CATALOG = buildCatalog(openapi as unknown as OpenApiDocument);

/** Every `Step_*` schema in the document, for code (and tests) that must cover each step type. */
export function stepSchemas(document: OpenApiDocument = openapi as unknown as OpenApiDocument) {
  return Object.entries(document.components.schemas)
    .filter(([name]) => name.startsWith(STEP_PREFIX))
    .map(([name, schema]) => ({ op: name.slice(STEP_PREFIX.length), schema }));
}
