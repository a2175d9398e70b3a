import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, type Schemas, unwrap } from '../../../api/client';
import { DEVELOPER_QUERY_KEY } from '../developer-queries';

export type WebhookEndpoint = Schemas['WebhookEndpointDto'];
export type WebhookDelivery = Schemas['WebhookDeliveryDto'];
export type WebhookEventType = WebhookEndpoint['events'][number];
export interface CreateWebhookInput {
  url: string;
  events: WebhookEventType[];
}

const WEBHOOKS_KEY = [...DEVELOPER_QUERY_KEY, 'webhooks'] as const;
const deliveriesKey = (endpointId: string) => [...WEBHOOKS_KEY, endpointId, 'deliveries'] as const;

export function useWebhooks() {
  return useQuery({
    queryKey: WEBHOOKS_KEY,
    queryFn: async () => unwrap(await api.GET('/api/developer/webhooks')).items,
  });
}

/** Like an API key's: the signing secret lives only in the mutation's result, until `reset()`. */
export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: CreateWebhookInput) => unwrap(await api.POST('/api/developer/webhooks', { body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: WEBHOOKS_KEY, exact: true }),
  });
}

export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE('/api/developer/webhooks/{id}', { params: { path: { id } } })),
    onSuccess: (_endpoint, id) => queryClient.removeQueries({ queryKey: deliveriesKey(id) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: WEBHOOKS_KEY, exact: true }),
  });
}

/** The endpoint's delivery log, fetched only while it is shown. */
export function useWebhookDeliveries(endpointId: string, enabled: boolean) {
  return useQuery({
    queryKey: deliveriesKey(endpointId),
    queryFn: async () =>
      unwrap(await api.GET('/api/developer/webhooks/{id}/deliveries', { params: { path: { id: endpointId } } })).items,
    enabled,
  });
}

export function useRedeliver(endpointId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (deliveryId: string) =>
      unwrap(
        await api.POST('/api/developer/webhooks/{id}/deliveries/{deliveryId}/redeliver', {
          params: { path: { id: endpointId, deliveryId } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: deliveriesKey(endpointId) }),
  });
}

/**
 * The callback secret, asked for only once the user chooses to see it; gcTime 0 drops it from the cache as soon as
 * it is hidden again.
 */
export function useCallbackSecret(enabled: boolean) {
  return useQuery({
    queryKey: [...WEBHOOKS_KEY, 'callback-secret'],
    queryFn: async () => unwrap(await api.GET('/api/developer/webhooks/callback-secret')).secret,
    enabled,
    gcTime: 0,
    staleTime: Infinity,
  });
}
