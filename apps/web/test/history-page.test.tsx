import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { HistoryPage } from '../src/features/jobs/history-page';
import { jobSummary, stubApi } from './api-stub';
import { renderPage } from './render-page';

/** 73 jobs; the stub pages and filters them as the API does, so the page's requests decide what it shows. */
const ALL = Array.from({ length: 73 }, (_, index) =>
  jobSummary({ jobType: index % 3 === 0 ? 'denoise+dub' : 'tts', status: index % 2 === 0 ? 'completed' : 'failed' }),
);

function historyApi() {
  return stubApi(({ url }) => {
    const status = url.searchParams.get('status');
    const type = url.searchParams.get('type');
    const limit = Number(url.searchParams.get('limit'));
    const offset = Number(url.searchParams.get('offset'));
    const matching = ALL.filter(
      (job) => (!status || job.status === status) && (!type || job.jobType.split('+').includes(type)),
    );
    return { items: matching.slice(offset, offset + limit), total: matching.length, limit, offset };
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('history page', () => {
  it('pages through the jobs with previous and next, keeping the page in the URL', async () => {
    const requests = historyApi();
    const page = renderPage('/history', <HistoryPage />, '/history?page=2');
    expect(await screen.findByText('Showing 21–40 of 73')).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(21);
    expect(requests.at(-1)?.url.searchParams.get('offset')).toBe('20');

    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Showing 41–60 of 73')).toBeTruthy();
    expect(page.location()).toBe('/history?page=3');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Showing 61–73 of 73')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Next' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('Page 4 of 4')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Previous' }));
    expect(await screen.findByText('Showing 41–60 of 73')).toBeTruthy();
  });

  it('a filter goes into the URL and the request, and starts again at page 1', async () => {
    const requests = historyApi();
    const page = renderPage('/history', <HistoryPage />, '/history?page=3');
    await screen.findByText('Showing 41–60 of 73');

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    expect(await screen.findByText('Showing 1–20 of 36')).toBeTruthy();
    expect(page.location()).toBe('/history?status=failed');
    expect(requests.at(-1)?.url.searchParams.get('status')).toBe('failed');
    expect(requests.at(-1)?.url.searchParams.get('offset')).toBe('0');

    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'dub' } });
    await waitFor(() => expect(page.location()).toBe('/history?type=dub&status=failed'));
    expect(await screen.findByText('Showing 1–12 of 12')).toBeTruthy();
    const links = screen.getAllByRole('link', { name: 'Denoise → Dub' });
    expect(links).toHaveLength(12);
    expect(links[0]?.getAttribute('href')).toMatch(/^\/jobs\/[0-9a-f-]{36}$/);

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByText('Showing 1–20 of 73')).toBeTruthy();
    expect(page.location()).toBe('/history');
  });

  it('reads the filters from a shared link, with the page size', async () => {
    historyApi();
    renderPage('/history', <HistoryPage />, '/history?status=completed&type=tts&limit=5');
    expect(await screen.findByText('Showing 1–5 of 24')).toBeTruthy();
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('completed');
    expect((screen.getByLabelText('Type') as HTMLSelectElement).value).toBe('tts');
    expect((screen.getByLabelText('Per page') as HTMLSelectElement).value).toBe('5');
  });

  it('says when nothing matches, and shows API errors in words', async () => {
    stubApi(({ url }) =>
      url.searchParams.get('status') === 'running'
        ? { items: [], total: 0, limit: 20, offset: 0 }
        : new Response(JSON.stringify({ statusCode: 503, error: { code: 'DOWN', message: 'The database is down.' } }), {
            status: 503,
          }),
    );
    renderPage('/history', <HistoryPage />, '/history?status=running');
    expect(await screen.findByText('No jobs match these filters.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The database is down.');
  });
});
