import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider, useParams } from 'react-router';
import { vi } from 'vitest';

import { NewJobPage } from '../src/features/jobs/new-job-page';
import { encodeWavPcm16 } from '../src/lib/wav';

/**
 * The API as the component tests see it: a table of answers by "METHOD /path", every request recorded. jsdom
 * has no server; the browser suite (tests/test/web/new-job.e2e.test.ts) runs the page against the real one.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

type Answer = (request: Request) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export const MODELS = {
  tasks: {
    denoise: [
      { id: 'deepfilternet3', displayName: 'DeepFilterNet3', kind: 'neural', languages: [], default: true },
      { id: 'rnnoise', displayName: 'RNNoise', kind: 'neural', languages: [], default: false },
    ],
    tts: [{ id: 'piper-en', displayName: 'Piper (English)', kind: 'neural', languages: ['en'], default: true }],
    stt: [{ id: 'whisper-base', displayName: 'Whisper base', kind: 'neural', languages: ['en', 'es'], default: true }],
  },
};

export const VOICE_ID = '3f0c8a52-8d3c-4c1e-9a43-2b6f1f0e7a11';

export function installFakeApi(overrides: Record<string, Answer> = {}, balance = 1800) {
  const requests: RecordedRequest[] = [];
  const answers: Record<string, Answer> = {
    'GET /api/user/credits': () =>
      json(200, {
        creditsRemaining: balance,
        creditsHeld: 0,
        unit: 'second',
        creditsRemainingMinutes: balance / 60,
        creditsHeldMinutes: 0,
      }),
    'GET /api/models': () => json(200, MODELS),
    'GET /api/voices/library': () =>
      json(200, { items: [{ id: VOICE_ID, name: 'Narrator', owned: true, isPublic: false }] }),
    'GET /api/voices/public': () => json(200, { items: [] }),
    ...overrides,
  };
  const fetchStub = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const text = await input.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    requests.push({ method: input.method, path: url.pathname, headers: input.headers, body });
    const answer = answers[`${input.method} ${url.pathname}`];
    return answer ? answer(input) : json(404, { statusCode: 404, error: { code: 'NOT_FOUND', message: 'no route' } });
  });
  vi.stubGlobal('fetch', fetchStub);
  return { requests, posts: () => requests.filter((request) => request.method === 'POST') };
}

/** jsdom has no object URLs; the page only hands them to <audio> previews. */
export function installObjectUrls() {
  let next = 0;
  Object.assign(URL, {
    createObjectURL: () => `blob:test/${(next += 1)}`,
    revokeObjectURL: () => undefined,
  });
}

function JobLanding() {
  const { jobId } = useParams();
  return <h1>Job {jobId}</h1>;
}

export function renderNewJob(url = '/jobs/new') {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: '/jobs/new', element: <NewJobPage /> },
      { path: '/jobs/:jobId', element: <JobLanding /> },
    ],
    { initialEntries: [url] },
  );
  const view = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...view, router, queryClient };
}

/** A WAV of silence lasting `seconds`, as a browser File. */
export function wavFile(seconds: number, name = 'clip.wav', sampleRate = 8000): File {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  return new File([encodeWavPcm16([samples], sampleRate)], name, { type: 'audio/wav' });
}
