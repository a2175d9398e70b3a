import type { JsonSchema } from './json-schema';
import type { InstalledModel, LibraryVoice } from './queries';

/** A list the form offers for a free-text field: a select of known values, or suggestions while typing. */
export interface FieldChoices {
  mode: 'select' | 'suggest';
  options: { value: string; label: string; group?: string }[];
  /** The select's empty option ("Best installed"); a select without one makes a choice required. */
  emptyLabel?: string;
  hint?: string;
}

/** Extra knowledge for a field the schema types only as a string: its choices and a hint. */
export type FieldAdvisor = (
  op: string,
  name: string,
  schema: JsonSchema,
) => FieldChoices | { hint: string } | undefined;

/** Steps whose `model` is a model of a task named differently from the step. */
const MODEL_TASK_OF_OP: Record<string, string> = { voice_clone: 'voice-conversion' };

function isVoiceReference(name: string, schema: JsonSchema): boolean {
  return /voice_id$/.test(name) && schema.format === 'uuid';
}

/**
 * Which fields are which, from their names and formats: `model` is a model id of the step's task (GET
 * /api/models), a `…voice_id` of format uuid is a library voice (GET /api/voices/library and /public), a
 * `…language` a language code. A field whose list is empty or failed to load stays free text.
 */
export function createFieldAdvisor(lists: {
  models: Record<string, InstalledModel[]> | undefined;
  voices: LibraryVoice[] | undefined;
}): FieldAdvisor {
  return (op, name, schema) => {
    if (name === 'model') {
      const models = lists.models?.[MODEL_TASK_OF_OP[op] ?? op];
      if (!models || models.length === 0) return undefined;
      return {
        mode: 'select',
        emptyLabel: 'Best installed (default)',
        options: models.map((model) => ({
          value: model.id,
          label: `${model.displayName}${model.kind ? ` (${model.kind})` : ''}`,
        })),
      };
    }
    if (isVoiceReference(name, schema)) {
      const voices = lists.voices;
      if (!voices || voices.length === 0) {
        return { hint: 'The id of a voice from your library or a public one. Add voices on the Voices page.' };
      }
      return {
        mode: 'select',
        options: voices.map((voice) => ({
          value: voice.id,
          label: voice.name,
          group: voice.owned ? 'Your voices' : 'Public voices',
        })),
      };
    }
    if (name === 'voice_id') {
      return {
        hint:
          "One of the model's own voices; leave empty for its default. To speak in a library voice, add a " +
          'Voice clone step after this one.',
      };
    }
    if (/(^|_)language$/.test(name)) {
      const languages = [
        ...new Set(Object.values(lists.models ?? {}).flatMap((models) => models.flatMap((model) => model.languages))),
      ].sort();
      const hint = 'A language code such as "en" or "es".';
      return languages.length > 0
        ? { mode: 'suggest', options: languages.map((code) => ({ value: code, label: code })), hint }
        : { hint };
    }
    return undefined;
  };
}

/** The step field that names a library voice, if the step has one (voice_clone's `target_voice_id`). */
export function voiceReferenceField(schema: JsonSchema): string | undefined {
  return Object.entries(schema.properties ?? {}).find(([name, property]) => isVoiceReference(name, property))?.[0];
}
