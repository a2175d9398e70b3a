import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { currentWordIndex } from '../src/features/jobs/job/current-word';
import { DownloadPanel, downloadCost } from '../src/features/jobs/job/download-panel';
import {
  type JobStatusView,
  type StepView,
  useDownloadLinks,
  useJobStatus,
} from '../src/features/jobs/job/job-queries';
import { formatElapsed, StepList } from '../src/features/jobs/job/step-list';
import { TranscriptView } from '../src/features/jobs/job/transcript-view';

describe('the word being spoken', () => {
  const words = [
    { start: 0.5, end: 0.9 },
    { start: 0.9, end: 1.4 },
    { start: 2.0, end: 2.6 },
  ];

  it('is the word whose start ≤ t < end, and none between words or outside the speech', () => {
    expect(currentWordIndex(words, 0)).toBe(-1);
    expect(currentWordIndex(words, 0.5)).toBe(0);
    expect(currentWordIndex(words, 0.89)).toBe(0);
    // End is exclusive: at 0.9 the next word has begun.
    expect(currentWordIndex(words, 0.9)).toBe(1);
    expect(currentWordIndex(words, 1.7)).toBe(-1);
    expect(currentWordIndex(words, 2.59)).toBe(2);
    expect(currentWordIndex(words, 2.6)).toBe(-1);
    expect(currentWordIndex(words, 99)).toBe(-1);
    expect(currentWordIndex([], 1)).toBe(-1);
  });

  it('agrees with a linear scan on a long seeded transcript', () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const long: { start: number; end: number }[] = [];
    let t = 0;
    for (let i = 0; i < 5000; i++) {
      t += random() * 0.3; // a gap, sometimes none
      const start = t;
      t += 0.05 + random() * 0.5;
      long.push({ start, end: t });
    }
    const linear = (seconds: number) => long.findIndex((word) => word.start <= seconds && seconds < word.end);
    for (let i = 0; i < 2000; i++) {
      const seconds = random() * (t + 1) - 0.5;
      expect(currentWordIndex(long, seconds)).toBe(linear(seconds));
    }
  });
});

describe('the transcript', () => {
  const words = [
    { word: ' Open', start: 0.2, end: 0.5 },
    { word: ' the', start: 0.5, end: 0.6 },
    { word: ' window.', start: 0.6, end: 1.1 },
  ];

  it('marks the current word and seeks to a word that is chosen', () => {
    const onSeek = vi.fn();
    render(<TranscriptView words={words} currentIndex={2} onSeek={onSeek} />);
    const current = screen.getByRole('button', { name: 'window.' });
    expect(current.getAttribute('aria-current')).toBe('true');
    expect(screen.getByRole('button', { name: 'Open' }).getAttribute('aria-current')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'the' }));
    expect(onSeek).toHaveBeenCalledWith(0.5);
  });

  it('is one tab stop, walked with the arrow keys', () => {
    render(<TranscriptView words={words} currentIndex={-1} onSeek={() => undefined} />);
    const [first, second, third] = screen.getAllByRole('button');
    expect(first?.tabIndex).toBe(0);
    expect(second?.tabIndex).toBe(-1);
    first?.focus();
    fireEvent.keyDown(first as HTMLElement, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(second);
    expect(second?.tabIndex).toBe(0);
    fireEvent.keyDown(second as HTMLElement, { key: 'End' });
    expect(document.activeElement).toBe(third);
  });
});

describe('step progress', () => {
  const steps: StepView[] = [
    {
      index: 0,
      op: 'preprocess',
      state: 'completed',
      progress: 100,
      weight: 0.1,
      startedAt: '2026-01-01T10:00:00.000Z',
      completedAt: '2026-01-01T10:00:01.500Z',
    },
    {
      index: 1,
      op: 'denoise',
      state: 'running',
      progress: 37.4,
      weight: 0.7,
      model: 'deepfilternet3',
      startedAt: '2026-01-01T10:00:01.500Z',
    },
    { index: 2, op: 'quality', state: 'pending', progress: 0, weight: 0.2 },
  ];

  it('shows each step with its state, model and timings, and the running one with its own progress bar', () => {
    const now = Date.parse('2026-01-01T10:00:13.500Z');
    render(<StepList steps={steps} now={now} />);
    const items = within(screen.getByRole('list', { name: 'Steps' })).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    const [prepare, denoise, quality] = items as [HTMLElement, HTMLElement, HTMLElement];

    expect(prepare.textContent).toContain('1. Prepare the input');
    expect(prepare.textContent).toContain('Done');
    expect(within(prepare).getByText('Elapsed').nextElementSibling?.textContent).toBe('1.5 s');
    expect(within(prepare).getByText('Finished')).toBeTruthy();

    expect(denoise.getAttribute('aria-current')).toBe('step');
    expect(denoise.textContent).toContain('Running · 37%');
    expect(within(denoise).getByText('deepfilternet3')).toBeTruthy();
    expect(within(denoise).getByText('Elapsed').nextElementSibling?.textContent).toBe('0:12');
    const bar = within(denoise).getByRole('progressbar', { name: 'Remove noise progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('37');

    expect(quality.textContent).toContain('Waiting');
    expect(within(quality).queryByText('Started')).toBeNull();
    expect(within(quality).queryByRole('progressbar')).toBeNull();
  });

  it('formats short steps in tenths and long ones as a clock', () => {
    expect(formatElapsed(420)).toBe('0.4 s');
    expect(formatElapsed(75_000)).toBe('1:15');
  });
});

describe('the paid download', () => {
  const jobId = '7b3f8a52-1c7e-4c1e-9a51-3d2f6b1e0a11';
  let charged: number | null;
  let balance: number;
  let downloads: number;
  let creditReads: number;
  let failNextDownload: boolean;
  const saved: string[] = [];

  const status = (): JobStatusView => ({
    jobId,
    jobType: 'tts',
    status: 'completed',
    progress: 100,
    createdAt: '2026-01-01T10:00:00.000Z',
    startedAt: '2026-01-01T10:00:00.000Z',
    completedAt: '2026-01-01T10:00:05.000Z',
    inputDurationMs: null,
    outputDurationMs: 41_200,
    creditsHeld: charged === null ? 42 : 0,
    creditsCharged: charged,
    downloadable: true,
  });

  /** The API, as far as this panel talks to it: status, credits and the idempotent charge. */
  const fakeApi = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    const json = (body: unknown, statusCode = 200) =>
      new Response(JSON.stringify(body), { status: statusCode, headers: { 'content-type': 'application/json' } });
    if (request.method === 'GET' && pathname === `/api/jobs/${jobId}/status`) return json(status());
    if (request.method === 'GET' && pathname === '/api/user/credits') {
      creditReads += 1;
      return json({ creditsRemaining: balance, creditsHeld: charged === null ? 42 : 0 });
    }
    if (request.method === 'POST' && pathname === `/api/audio/download/${jobId}`) {
      downloads += 1;
      if (failNextDownload) {
        failNextDownload = false;
        return json(
          { statusCode: 402, error: { code: 'INSUFFICIENT_CREDITS', message: 'Insufficient credits: 42 needed.' } },
          402,
        );
      }
      const alreadyCharged = charged !== null;
      if (!alreadyCharged) {
        charged = 42;
        balance -= 42;
      }
      return json({
        url: `http://localhost:3000/api/files/jobs%2F${jobId}%2Foutput.wav?sig=s${downloads}`,
        expiresAt: new Date(Date.now() + 900_000).toISOString(),
        creditsCharged: 42,
        alreadyCharged,
        unit: 'second',
      });
    }
    return json({ statusCode: 404, error: { code: 'NOT_FOUND', message: `no fake for ${pathname}` } }, 404);
  };

  /** The page's wiring: the status (which says whether it is paid) and the links of a paid job. */
  function Harness() {
    const job = useJobStatus(jobId);
    const links = useDownloadLinks(jobId, job.data?.creditsCharged !== null && job.data !== undefined);
    return job.data ? <DownloadPanel job={job.data} links={links.data} /> : <p>loading</p>;
  }

  const renderPanel = () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    return render(
      <QueryClientProvider client={client}>
        <Harness />
      </QueryClientProvider>,
    );
  };

  beforeAll(() => {
    // jsdom has <dialog> but not its modal API; the browser suite checks the real one (focus, Escape).
    HTMLDialogElement.prototype.showModal ??= function showModal(this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function close(this: HTMLDialogElement) {
      this.open = false;
    };
  });
  beforeEach(() => {
    charged = null;
    balance = 600;
    downloads = 0;
    creditReads = 0;
    failNextDownload = false;
    saved.length = 0;
    vi.stubGlobal('fetch', vi.fn(fakeApi));
    // The browser's download manager: record which link was handed to it.
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.href);
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('costs the output length rounded up to the second, or what was charged', () => {
    expect(downloadCost({ outputDurationMs: 41_200, creditsCharged: null })).toBe(42);
    expect(downloadCost({ outputDurationMs: 41_000, creditsCharged: null })).toBe(41);
    expect(downloadCost({ outputDurationMs: 41_200, creditsCharged: 40 })).toBe(40);
  });

  it('asks first with the cost, charges once on confirmation, then downloads again for nothing', async () => {
    renderPanel();
    const first = await screen.findByRole('button', { name: 'Download (costs 42 s of credit)' });

    // Declining charges nothing.
    fireEvent.click(first);
    const dialog = screen.getByRole('dialog', { name: 'Download and pay for this result?' });
    expect(dialog.textContent).toContain('costs 42 s of credit, charged once');
    await waitFor(() => expect(dialog.textContent).toContain('Your balance: 10 min 00 s.'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Not now' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(downloads).toBe(0);

    fireEvent.click(first);
    const readsBefore = creditReads;
    fireEvent.click(screen.getByRole('button', { name: 'Pay 42 s and download' }));
    await screen.findByText('Charged 42 s of credit. Your download has started.');
    expect(downloads).toBe(1);
    expect(saved).toEqual([`http://localhost:3000/api/files/jobs%2F${jobId}%2Foutput.wav?sig=s1`]);
    expect(screen.queryByRole('dialog')).toBeNull();
    // The balance is read again after the charge.
    await waitFor(() => expect(creditReads).toBeGreaterThan(readsBefore));

    // Paid: no question the second time, and the API says nothing more was charged.
    const again = await screen.findByRole('button', { name: 'Download again (already paid)' });
    expect(screen.getByRole('link', { name: 'Save the file' })).toBeTruthy();
    await act(async () => {
      fireEvent.click(again);
    });
    await screen.findByText('Already paid (42 s): this download cost nothing more.');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(downloads).toBe(2);
    expect(balance).toBe(600 - 42);
    expect(saved).toHaveLength(2);
  });

  it('says in words why a charge was refused, inside the dialog, and charges nothing', async () => {
    failNextDownload = true;
    renderPanel();
    fireEvent.click(await screen.findByRole('button', { name: 'Download (costs 42 s of credit)' }));
    fireEvent.click(screen.getByRole('button', { name: 'Pay 42 s and download' }));
    const alert = await within(screen.getByRole('dialog')).findByRole('alert');
    expect(alert.textContent).toBe('Nothing was chargedInsufficient credits: 42 needed.Buy credits');
    // The payment gate's way out (no package suggested in this 402, so the plain buy page).
    expect(within(alert).getByRole('link', { name: 'Buy credits' }).getAttribute('href')).toBe('/billing/buy');
    expect(charged).toBeNull();
    expect(saved).toEqual([]);
  });
});
