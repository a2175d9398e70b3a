import { type ChainStep, fieldsSchema, newStep } from './chain';
import { voiceReferenceField } from './field-choices';
import { fieldKind, type FormObject, simplify } from './json-schema';
import type { StepCatalog, StepType } from './step-types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The default job: the first step that runs on an upload (denoise, as the registry lists it). */
function defaultType(catalog: StepCatalog): StepType | undefined {
  return catalog.types.find((type) => type.source === 'audio') ?? catalog.types[0];
}

/**
 * The chain a link opens with: `/jobs/new?op=<op>&<field>=<value>` picks the step and fills its fields (and
 * `text=` the text of a TTS job). A library voice is a voice_clone target: `?op=voice_clone&voice_id=<uuid>`
 * fills `target_voice_id`, and `?op=tts&voice_id=<uuid>` adds a Voice clone step after the speech, because a
 * TTS `voice_id` names one of the model's own voices (the API refuses a library voice there).
 */
export function chainFromSearch(catalog: StepCatalog, search: URLSearchParams): { steps: ChainStep[]; text: string } {
  const requested = catalog.byOp.get(search.get('op') ?? '');
  const type = requested ?? defaultType(catalog);
  if (!type) return { steps: [], text: '' };
  if (!requested) return { steps: [newStep(type)], text: '' };
  const properties = fieldsSchema(type.schema).properties ?? {};
  const values: FormObject = {};
  let voiceToClone: string | undefined;
  const ownVoiceField = voiceReferenceField(type.schema);
  for (const [name, raw] of search) {
    if (name === 'op' || name === 'text') continue;
    if (/voice_id$/.test(name) && UUID.test(raw)) {
      if (ownVoiceField) values[ownVoiceField] = raw;
      else voiceToClone = raw;
      continue;
    }
    const property = properties[name];
    if (!property) continue;
    const kind = fieldKind(simplify(property).schema);
    if (kind.kind === 'boolean') values[name] = raw === 'true' || raw === '1';
    else if (kind.kind === 'enum' || kind.kind === 'number' || kind.kind === 'text') values[name] = raw;
  }
  const steps = [newStep(type, values)];
  if (voiceToClone !== undefined) {
    const clone = catalog.types.find(
      (candidate) => candidate.source === 'audio' && voiceReferenceField(candidate.schema),
    );
    const field = clone ? voiceReferenceField(clone.schema) : undefined;
    if (clone && field) steps.push(newStep(clone, { [field]: voiceToClone }));
  }
  return { steps, text: type.source === 'text' ? (search.get('text') ?? '') : '' };
}
