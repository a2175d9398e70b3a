import { QueryClient } from '@tanstack/react-query';

import { ApiError } from '../api/client';

/** Client errors are answers, not glitches: only network failures and 5xx are retried. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) =>
          failureCount < 3 && (!(error instanceof ApiError) || error.isNetworkError || error.status >= 500),
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 10_000),
        staleTime: 5_000,
      },
      mutations: { retry: false },
    },
  });
}
