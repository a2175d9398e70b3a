import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, type Schemas, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';

export type AdminUser = Schemas['AdminUserDto'];
export type AdminUserDetail = Schemas['AdminUserDetailDto'];
export type AdminJob = Schemas['AdminJobDto'];
export type AuditEntry = Schemas['AuditEntryDto'];
export type SystemReport = Schemas['SystemDto'];
export type TaskQueue = Schemas['TaskQueueDto'];
export type OperationsReport = Schemas['OperationsDto'];
export type OperationsQueue = Schemas['OperationsQueueDto'];
export type SubscriptionTier = AdminUser['tier'];
export type AdminAction = AuditEntry['action'];

/** Prefix of every admin query: a mutation invalidates them all (a grant changes the user, the log, the jobs…). */
export const ADMIN_QUERY_KEY = ['admin'] as const;

type QueryOf<Path extends keyof paths> = paths[Path] extends { get: { parameters: { query?: infer Query } } }
  ? NonNullable<Query>
  : never;

export type UserSearch = QueryOf<'/api/admin/users'>;
/** `user` is an id or part of an email; `type` a step; `from`/`to` dates (YYYY-MM-DD, `to` inclusive). */
export type AdminJobsFilter = QueryOf<'/api/admin/jobs'>;
export type JobStepType = NonNullable<AdminJobsFilter['type']>;

export interface AuditFilter {
  userId?: string;
  action?: AdminAction;
}

/** The signed-in admin and their second factor; a 403 says what is missing (enrolment, or a code sign-in). */
export function useAdminProfile() {
  return useQuery({
    queryKey: [...ADMIN_QUERY_KEY, 'me'],
    queryFn: async () => unwrap(await api.GET('/api/admin/me')),
    retry: false,
  });
}

export function useUserSearch(search: UserSearch) {
  return useQuery({
    queryKey: [...ADMIN_QUERY_KEY, 'users', search],
    queryFn: async () => unwrap(await api.GET('/api/admin/users', { params: { query: search } })),
    placeholderData: keepPreviousData,
  });
}

export function useAdminUser(id: string) {
  return useQuery({
    queryKey: [...ADMIN_QUERY_KEY, 'user', id],
    queryFn: async () => unwrap(await api.GET('/api/admin/users/{id}', { params: { path: { id } } })),
  });
}

export function useAdminJobs(filter: AdminJobsFilter) {
  return useQuery({
    queryKey: [...ADMIN_QUERY_KEY, 'jobs', filter],
    queryFn: async () => unwrap(await api.GET('/api/admin/jobs', { params: { query: filter } })),
    placeholderData: keepPreviousData,
  });
}

/** Backlogs move while the page is open: refreshed every 5 s. */
export function useSystemReport() {
  return useQuery({
    queryKey: [...ADMIN_QUERY_KEY, 'system'],
    queryFn: async () => unwrap(await api.GET('/api/admin/system')),
    refetchInterval: 5_000,
  });
}

/** The API caches the figures for 5 s (its /metrics reads the same): polling faster would show nothing new. */
export function useOperations() {
  return useQuery({
    queryKey: [...ADMIN_QUERY_KEY, 'operations'],
    queryFn: async () => unwrap(await api.GET('/api/admin/operations')),
    refetchInterval: 5_000,
  });
}

export function useAuditLog(filter: AuditFilter, before: number | undefined) {
  return useQuery({
    queryKey: [...ADMIN_QUERY_KEY, 'audit', filter, before ?? null],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/admin/audit', {
          params: { query: { limit: 50, ...filter, ...(before !== undefined ? { before } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

function useAdminMutation<Input, Output>(run: (input: Input) => Promise<Output>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ADMIN_QUERY_KEY }),
  });
}

export function useSuspendUser(id: string) {
  return useAdminMutation(async (reason: string) =>
    unwrap(await api.POST('/api/admin/users/{id}/suspend', { params: { path: { id } }, body: { reason } })),
  );
}

export function useUnsuspendUser(id: string) {
  return useAdminMutation(async (reason: string) =>
    unwrap(
      await api.POST('/api/admin/users/{id}/unsuspend', {
        params: { path: { id } },
        body: reason ? { reason } : {},
      }),
    ),
  );
}

export function useSetTier(id: string) {
  return useAdminMutation(async (input: { tier: SubscriptionTier; reason: string }) =>
    unwrap(
      await api.PATCH('/api/admin/users/{id}', {
        params: { path: { id } },
        body: { tier: input.tier, ...(input.reason ? { reason: input.reason } : {}) },
      }),
    ),
  );
}

export interface CreditAdjustment {
  kind: 'grant' | 'correction';
  /** Credit-seconds, signed. */
  amount: number;
  reason: string;
  /** One per intended adjustment: a retry or a double click with the same key grants once. */
  idempotencyKey: string;
}

export function useAdjustCredits(id: string) {
  return useAdminMutation(async (input: CreditAdjustment) =>
    unwrap(
      await api.POST('/api/admin/users/{id}/credits', {
        params: { path: { id }, header: { 'Idempotency-Key': input.idempotencyKey } },
        body: { kind: input.kind, amount: input.amount, reason: input.reason },
      }),
    ),
  );
}

export function useStartMfaEnrolment() {
  return useMutation({ mutationFn: async () => unwrap(await api.POST('/api/admin/mfa/enrol')) });
}

export function useConfirmMfaEnrolment() {
  return useMutation({
    mutationFn: async (code: string) => unwrap(await api.POST('/api/admin/mfa/confirm', { body: { code } })),
  });
}
