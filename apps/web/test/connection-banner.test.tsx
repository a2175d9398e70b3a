import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { ApiError, NETWORK_ERROR_CODE } from '../src/api/client';
import { ConnectionBanner } from '../src/components/connection-banner';

function Probe({ load }: { load: () => Promise<string> }) {
  const query = useQuery({ queryKey: ['probe'], queryFn: load, retry: false });
  return <p>{query.data ?? 'no data'}</p>;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('the connection banner', () => {
  it('shows a lost server, polls health, and refetches what failed once it is back', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let serverUp = false;
    const load = vi.fn(async () => {
      if (!serverUp) throw new ApiError(0, NETWORK_ERROR_CODE, 'Cannot reach the server.');
      return 'fresh data';
    });
    const health = vi.fn(async () => {
      if (!serverUp) throw new TypeError('Failed to fetch');
      return new Response('{}', { status: 200 });
    });
    vi.stubGlobal('fetch', health);
    const client = new QueryClient();
    render(
      <QueryClientProvider client={client}>
        <ConnectionBanner />
        <Probe load={load} />
      </QueryClientProvider>,
    );
    await screen.findByText('Cannot reach the server. Retrying…');

    await act(() => vi.advanceTimersByTimeAsync(3_100));
    expect(health).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('status').textContent).toBe('Cannot reach the server. Retrying…');

    serverUp = true;
    await act(() => vi.advanceTimersByTimeAsync(3_100));
    await waitFor(() => expect(screen.queryByRole('status')).toBeNull());
    await screen.findByText('fresh data');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('says nothing while requests succeed', async () => {
    const client = new QueryClient();
    render(
      <QueryClientProvider client={client}>
        <ConnectionBanner />
        <Probe load={async () => 'ok'} />
      </QueryClientProvider>,
    );
    await screen.findByText('ok');
    expect(screen.queryByRole('status')).toBeNull();
  });
});
