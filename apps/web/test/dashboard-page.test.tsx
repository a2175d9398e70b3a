import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { DashboardPage } from '../src/features/dashboard/dashboard-page';
import { jobSummary, stubApi } from './api-stub';
import { renderPage } from './render-page';

afterEach(() => {
  vi.unstubAllGlobals();
});

const credits = (remaining: number, held: number) => ({
  creditsRemaining: remaining,
  creditsHeld: held,
  unit: 'second',
  creditsRemainingMinutes: remaining / 60,
  creditsHeldMinutes: held / 60,
});

describe('dashboard', () => {
  it('a new user sees the free credits and the way to a first job', async () => {
    stubApi(({ url }) =>
      url.pathname === '/api/user/credits' ? credits(1800, 0) : { items: [], total: 0, limit: 5, offset: 0 },
    );
    renderPage('/', <DashboardPage />);
    expect(screen.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeTruthy();
    const first = await screen.findByRole('link', { name: 'Start your first job' });
    expect(first.getAttribute('href')).toBe('/jobs/new');
    const creditsSection = screen.getByRole('region', { name: 'Credits' });
    expect(within(creditsSection).getByText('30 min 00 s')).toBeTruthy();
    expect(within(creditsSection).getByText('0 s')).toBeTruthy();
  });

  it('polls while a job runs, stops once all are done, and then refreshes the credits', async () => {
    const running = jobSummary({ jobType: 'denoise+dub', status: 'running', progress: 40, creditsHeld: 12 });
    let finished = false;
    const requests = stubApi(({ url }) => {
      if (url.pathname === '/api/user/credits') return finished ? credits(1790, 10) : credits(1788, 12);
      const job = finished ? { ...running, status: 'completed', progress: 100, creditsHeld: 10 } : running;
      return { items: [job], total: 1, limit: 5, offset: 0 };
    });
    renderPage('/', <DashboardPage />);
    const link = await screen.findByRole('link', { name: /Denoise → Dub/ });
    expect(link.getAttribute('href')).toBe(`/jobs/${running.jobId}`);
    expect(within(link).getByText('Running')).toBeTruthy();
    expect(within(link).getByText('40%')).toBeTruthy();
    expect(await screen.findByText('29 min 48 s')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'New job' }).getAttribute('href')).toBe('/jobs/new');
    expect(screen.queryByRole('link', { name: 'Start your first job' })).toBeNull();

    finished = true;
    // The next poll (2 s) sees it done, and the credits follow without a reload.
    expect(await within(link).findByText('Done', {}, { timeout: 4_000 })).toBeTruthy();
    expect(await screen.findByText('29 min 50 s')).toBeTruthy();
    expect(screen.getByText('10 s')).toBeTruthy();

    const historyCalls = () => requests.filter((request) => request.url.pathname === '/api/jobs/history').length;
    const settledAt = historyCalls();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(historyCalls(), 'no polling once nothing shown can change').toBe(settledAt);
  });

  it('shows why the jobs could not be loaded', async () => {
    stubApi(({ url }) =>
      url.pathname === '/api/user/credits'
        ? credits(1800, 0)
        : new Response(JSON.stringify({ statusCode: 500, error: { code: 'INTERNAL', message: 'Something broke.' } }), {
            status: 500,
          }),
    );
    renderPage('/', <DashboardPage />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load your jobs');
    expect(alert.textContent).toContain('Something broke.');
  });
});
