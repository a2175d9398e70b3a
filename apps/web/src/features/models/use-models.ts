import { useQuery } from '@tanstack/react-query';

import { api, unwrap, type Schemas } from '../../api/client';

export type ModelList = Schemas['ModelListDto'];
export type InstalledModel = Schemas['InstalledModelDto'];
export type UnavailableModel = Schemas['UnavailableModelDto'];
export type ModelTask = keyof Schemas['ModelsByTaskDto'];

/** What the server has installed; it changes only when an operator installs models, so it is cached a while. */
export function useModels() {
  return useQuery({
    queryKey: ['models'],
    queryFn: async () => unwrap(await api.GET('/api/models')),
    staleTime: 5 * 60_000,
  });
}
