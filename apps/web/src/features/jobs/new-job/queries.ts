import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from '../../../api/client';

/**
 * The lists the generated forms offer as choices. Neither response has a schema in the OpenAPI document yet, so
 * they are read defensively: anything missing just leaves the field as free text.
 */
export interface InstalledModel {
  id: string;
  displayName: string;
  kind: string;
  languages: string[];
  isDefault: boolean;
}

export interface LibraryVoice {
  id: string;
  name: string;
  owned: boolean;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `{ tasks: { denoise: [...], stt: [...] } }` → installed models per task, best first. */
export function parseModels(data: unknown): Record<string, InstalledModel[]> {
  const tasks = record(record(data)?.['tasks']) ?? {};
  const byTask: Record<string, InstalledModel[]> = {};
  for (const [task, models] of Object.entries(tasks)) {
    if (!Array.isArray(models)) continue;
    byTask[task] = models.flatMap((raw: unknown) => {
      const model = record(raw);
      const id = model?.['id'];
      if (typeof id !== 'string') return [];
      const languages = model?.['languages'];
      return [
        {
          id,
          displayName: typeof model?.['displayName'] === 'string' ? model['displayName'] : id,
          kind: typeof model?.['kind'] === 'string' ? model['kind'] : '',
          languages: Array.isArray(languages) ? languages.filter((l): l is string => typeof l === 'string') : [],
          isDefault: model?.['default'] === true,
        },
      ];
    });
  }
  return byTask;
}

/** `{ items: [{ id, name, owned }] }` → voices. */
export function parseVoices(data: unknown): LibraryVoice[] {
  const items = record(data)?.['items'];
  if (!Array.isArray(items)) return [];
  return items.flatMap((raw: unknown) => {
    const voice = record(raw);
    const id = voice?.['id'];
    if (typeof id !== 'string') return [];
    return [{ id, name: typeof voice?.['name'] === 'string' ? voice['name'] : id, owned: voice?.['owned'] === true }];
  });
}

// Keys of this page's own: other pages may cache these endpoints in another shape.
export const INSTALLED_MODELS_QUERY_KEY = ['new-job', 'models'] as const;
export const USABLE_VOICES_QUERY_KEY = ['new-job', 'voices'] as const;

export function useInstalledModels() {
  return useQuery({
    queryKey: INSTALLED_MODELS_QUERY_KEY,
    queryFn: async () => unwrap(await api.GET('/api/models')) as unknown,
    select: parseModels,
    staleTime: 5 * 60_000,
  });
}

/** Your voices, then the public voices of others (a voice clone may target either). */
export function useUsableVoices() {
  return useQuery({
    queryKey: USABLE_VOICES_QUERY_KEY,
    queryFn: async () => {
      const [library, shared] = await Promise.all([api.GET('/api/voices/library'), api.GET('/api/voices/public')]);
      return { library: unwrap(library) as unknown, shared: unwrap(shared) as unknown };
    },
    select: ({ library, shared }) => {
      const own = parseVoices(library);
      const ownIds = new Set(own.map((voice) => voice.id));
      return [...own, ...parseVoices(shared).filter((voice) => !ownIds.has(voice.id) && !voice.owned)];
    },
  });
}
