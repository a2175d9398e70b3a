import { onlineManager, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { ApiError } from '../api/client';

const HEALTH_RETRY_MS = 3_000;

type Connection = 'ok' | 'offline' | 'server-unreachable';

/**
 * Says when the app cannot reach the platform, and gets it back on its own: offline (the browser says so), or
 * the server unreachable (a request failed at the network level). In the second case it polls /api/health
 * and, once the server answers, refetches whatever failed meanwhile.
 */
export function ConnectionBanner() {
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState<Connection>(() => (navigator.onLine ? 'ok' : 'offline'));

  useEffect(() => {
    const unsubscribeOnline = onlineManager.subscribe((online) => {
      setConnection((current) => (online ? (current === 'offline' ? 'ok' : current) : 'offline'));
    });
    const unsubscribeCache = queryClient.getQueryCache().subscribe((event) => {
      const error = event.query.state.error;
      if (event.type === 'updated' && error instanceof ApiError && error.isNetworkError) {
        setConnection((current) => (current === 'offline' ? current : 'server-unreachable'));
      }
    });
    return () => {
      unsubscribeOnline();
      unsubscribeCache();
    };
  }, [queryClient]);

  useEffect(() => {
    if (connection !== 'server-unreachable') return;
    let cancelled = false;
    const probe = async () => {
      const healthy = await fetch('/api/health', { cache: 'no-store' }).then(
        (response) => response.ok,
        () => false,
      );
      if (cancelled) return;
      if (healthy) {
        setConnection('ok');
        void queryClient.refetchQueries({ predicate: (query) => query.state.status === 'error' });
      } else {
        timer = setTimeout(() => void probe(), HEALTH_RETRY_MS);
      }
    };
    let timer = setTimeout(() => void probe(), HEALTH_RETRY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [connection, queryClient]);

  if (connection === 'ok') return null;
  return (
    <div role="status" className="bg-amber-100 px-4 py-2 text-center text-sm text-amber-900">
      {connection === 'offline'
        ? 'You are offline. The app reconnects by itself when the connection is back.'
        : 'Cannot reach the server. Retrying…'}
    </div>
  );
}
