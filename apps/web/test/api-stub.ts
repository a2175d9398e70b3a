import { vi } from 'vitest';

export interface StubbedRequest {
  method: string;
  url: URL;
}

/**
 * Answers the app's fetches in jsdom, where there is no server: `respond` sees each request and returns the
 * JSON body (or a Response for an error). Every request is recorded for assertions.
 */
export function stubApi(respond: (request: StubbedRequest) => unknown): StubbedRequest[] {
  const requests: StubbedRequest[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const request = { method: input.method, url: new URL(input.url) };
    requests.push(request);
    const answer = respond(request);
    if (answer instanceof Response) return answer;
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  return requests;
}

export function jobSummary(overrides: Record<string, unknown> = {}) {
  return {
    jobId: crypto.randomUUID(),
    jobType: 'denoise',
    status: 'completed',
    progress: 100,
    createdAt: '2026-03-01T10:00:00.000Z',
    startedAt: null,
    completedAt: null,
    inputDurationMs: 4_000,
    outputDurationMs: 4_000,
    creditsHeld: 4,
    creditsCharged: null,
    downloadable: true,
    ...overrides,
  };
}
