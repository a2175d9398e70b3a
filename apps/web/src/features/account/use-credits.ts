import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from '../../api/client';

export const CREDITS_QUERY_KEY = ['user', 'credits'] as const;

/** The balance and held credits; invalidate CREDITS_QUERY_KEY after a submit, cancel or download. */
export function useCredits() {
  return useQuery({
    queryKey: CREDITS_QUERY_KEY,
    queryFn: async () => unwrap(await api.GET('/api/user/credits')),
  });
}
