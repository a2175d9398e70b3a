import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, type Schemas, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';

export type ApiKey = Schemas['ApiKeyDto'];
export type ApiKeyScope = ApiKey['scopes'][number];
export type UsageReport = Schemas['UsageReportDto'];
export type CreateApiKeyInput = paths['/api/developer/api-keys']['post']['requestBody']['content']['application/json'];
export type UsageQuery = NonNullable<paths['/api/developer/usage']['get']['parameters']['query']>;

/** Every developer query starts with this, so a create or revoke refreshes keys and usage alike. */
export const DEVELOPER_QUERY_KEY = ['developer'] as const;
const KEYS_KEY = [...DEVELOPER_QUERY_KEY, 'api-keys'] as const;

export function useApiKeys() {
  return useQuery({
    queryKey: KEYS_KEY,
    queryFn: async () => unwrap(await api.GET('/api/developer/api-keys')).items,
  });
}

/**
 * Creates a key. The secret is in the mutation's result only (`data.secret`), never in the query cache: it is
 * shown until the user dismisses it (`reset()`), and a reload forgets it, as the API does.
 */
export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: CreateApiKeyInput) => unwrap(await api.POST('/api/developer/api-keys', { body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS_KEY }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE('/api/developer/api-keys/{id}', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: DEVELOPER_QUERY_KEY }),
  });
}

/** The report for a range and key; the previous report stays on screen while a new filter loads. */
export function useUsage(query: UsageQuery) {
  return useQuery({
    queryKey: [...DEVELOPER_QUERY_KEY, 'usage', query],
    queryFn: async () => unwrap(await api.GET('/api/developer/usage', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}
