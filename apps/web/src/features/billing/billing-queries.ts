import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';

import { api, type Schemas, unwrap } from '../../api/client';
import { CREDITS_QUERY_KEY } from '../account/use-credits';

export type CreditPackage = Schemas['CreditPackageDto'];
export type ProviderAvailability = Schemas['ProviderAvailabilityDto'];
export type PaymentProvider = ProviderAvailability['provider'];
export type Payment = Schemas['PaymentDto'];
export type PaymentStatus = Payment['status'];
export type CreatedIntent = Schemas['CreatedIntentDto'];
export type PaymentClientData = Schemas['PaymentClientDataDto'];
export type ConfirmInput = { paymentId: string; razorpayPaymentId?: string; razorpaySignature?: string };

export const BILLING_QUERY_KEY = ['billing'] as const;
const paymentKey = (id: string) => [...BILLING_QUERY_KEY, 'payment', id] as const;

/** How often a pending payment is asked for while a provider (or its webhook) finishes it. */
export const PAYMENT_POLL_MS = 2_000;

/** The packages on sale and which providers this server is configured for; the catalogue rarely changes. */
export function usePackages() {
  return useQuery({
    queryKey: [...BILLING_QUERY_KEY, 'packages'],
    queryFn: async () => unwrap(await api.GET('/api/payment/packages')),
    staleTime: 5 * 60_000,
  });
}

/** One payment as it stands; polled while it is pending (when `poll`), so a webhook's fulfilment shows up. */
export function usePayment(id: string, poll: boolean) {
  return useQuery({
    queryKey: paymentKey(id),
    queryFn: async () => unwrap(await api.GET('/api/payment/payments/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (poll && query.state.data?.status === 'pending' ? PAYMENT_POLL_MS : false),
  });
}

export function usePaymentHistory(before: string | undefined, limit = 20) {
  return useQuery({
    queryKey: [...BILLING_QUERY_KEY, 'history', limit, before ?? null],
    queryFn: async () =>
      unwrap(await api.GET('/api/payment/history', { params: { query: { limit, ...(before ? { before } : {}) } } })),
    placeholderData: keepPreviousData,
  });
}

/** Starts a purchase. The key names this attempt: a retry of it replays the same payment instead of a second one. */
export function useCreateIntent() {
  return useMutation({
    mutationFn: async (input: { packageId: string; provider: PaymentProvider; idempotencyKey: string }) =>
      unwrap(
        await api.POST('/api/payment/create-intent', {
          params: { header: { 'Idempotency-Key': input.idempotencyKey } },
          body: { packageId: input.packageId, provider: input.provider },
        }),
      ),
  });
}

/** Refreshes what a payment changes: the balance, the history and the payment itself. */
export function useInvalidateAfterPayment() {
  const queryClient = useQueryClient();
  // Stable, so an effect that runs it on a status change runs once per change, not once per render.
  return useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: CREDITS_QUERY_KEY }),
        queryClient.invalidateQueries({ queryKey: [...BILLING_QUERY_KEY, 'history'] }),
      ]),
    [queryClient],
  );
}

/** The return path: the API asks the provider whether the money was taken, and grants the credits once. */
export function useConfirmPayment() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateAfterPayment();
  return useMutation({
    mutationFn: async (input: ConfirmInput) => unwrap(await api.POST('/api/payment/confirm', { body: input })),
    onSuccess: async (answer) => {
      queryClient.setQueryData(paymentKey(answer.payment.id), answer.payment);
      await invalidate();
    },
  });
}

/**
 * A random Idempotency-Key. crypto.getRandomValues rather than randomUUID: the latter exists only in secure
 * contexts, and a self-hosted server may be reached over plain HTTP on a LAN address.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `buy-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
