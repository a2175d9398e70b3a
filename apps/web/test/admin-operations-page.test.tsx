import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { Schemas } from '../src/api/client';
import { OperationsPage } from '../src/features/admin/operations/operations-page';
import { stubApi } from './api-stub';
import { renderPage } from './render-page';

afterEach(() => {
  vi.unstubAllGlobals();
});

const UI = 'https://temporal.example.test';

function report(overrides: Partial<Schemas['OperationsDto']> = {}): Schemas['OperationsDto'] {
  return {
    readAt: '2026-03-01T10:00:00.000Z',
    taskQueues: [
      {
        role: 'cpu',
        name: 'voice-cpu',
        kinds: ['workflow', 'activity'],
        backlog: 0,
        backlogAgeSeconds: 0,
        pollers: 2,
        temporalUrl: `${UI}/namespaces/default/task-queues/voice-cpu`,
      },
      {
        role: 'media',
        name: 'voice-media',
        kinds: ['activity'],
        backlog: 0,
        backlogAgeSeconds: 0,
        pollers: 1,
        error: 'Temporal did not answer; see the server log',
        temporalUrl: `${UI}/namespaces/default/task-queues/voice-media`,
      },
      {
        role: 'gpu',
        name: 'voice-gpu',
        kinds: ['activity'],
        backlog: 7,
        backlogAgeSeconds: 754,
        pollers: 0,
        temporalUrl: `${UI}/namespaces/default/task-queues/voice-gpu`,
      },
    ],
    credits: { held: 3_725, holds: 4, oldestAgeSeconds: 2 * 86_400 + 3 * 3600 },
    temporal: {
      namespace: 'default',
      uiUrl: UI,
      workflowsUrl: `${UI}/namespaces/default/workflows`,
      schedulesUrl: `${UI}/namespaces/default/schedules`,
    },
    ...overrides,
  };
}

describe('the admin operations page', () => {
  it('shows each queue’s backlog, its age and pollers, flags a queue nobody polls, and links it in Temporal', async () => {
    const requests = stubApi(() => report());
    renderPage('/admin/operations', <OperationsPage />);

    const table = await screen.findByRole('table', { name: /Backlog, oldest waiting task and pollers/ });
    const gpu = within(table).getByRole('row', { name: /GPU inference/ });
    const cells = within(gpu)
      .getAllByRole('cell')
      .map((cell) => cell.textContent);
    expect(cells.slice(0, 3)).toEqual(['7', '13 min', 'None: no worker serves this queue']);
    expect(
      within(gpu)
        .getByRole('link', { name: /Open voice-gpu/ })
        .getAttribute('href'),
    ).toBe(`${UI}/namespaces/default/task-queues/voice-gpu`);
    const cpu = within(table).getByRole('row', { name: /Workflows and bookkeeping/ });
    expect(within(cpu).getByText('voice-cpu (workflow and activity tasks)')).toBeTruthy();
    // No backlog, so no age to show; the two pollers are counted.
    expect(
      within(cpu)
        .getAllByRole('cell')
        .map((cell) => cell.textContent)
        .slice(0, 3),
    ).toEqual(['0', '—', '2']);
    // A queue Temporal did not describe shows why, not zeros that look like an idle queue.
    const media = within(table).getByRole('row', { name: /Media/ });
    expect(within(media).getByText('Temporal did not answer; see the server log')).toBeTruthy();
    expect(within(media).queryByText('0')).toBeNull();
    expect(requests.map((request) => request.url.pathname)).toContain('/api/admin/operations');
  });

  it('shows the credits held and warns about a hold older than a day', async () => {
    stubApi(() => report());
    renderPage('/admin/operations', <OperationsPage />);
    const panel = await screen.findByRole('region', { name: 'Credits held' });
    expect(within(panel).getByText('62 min 05 s')).toBeTruthy();
    expect(within(panel).getByText('4')).toBeTruthy();
    expect(panel.textContent).toContain('2 d 3 h');
    expect(panel.textContent).toContain('older than a day');
  });

  it('links the Temporal UI, its workflow runs and schedules, or says how to make them known', async () => {
    stubApi(() => report());
    const first = renderPage('/admin/operations', <OperationsPage />);
    const temporal = await screen.findByRole('region', { name: 'Temporal' });
    expect(
      within(temporal)
        .getByRole('link', { name: /Workflow runs/ })
        .getAttribute('href'),
    ).toBe(`${UI}/namespaces/default/workflows`);
    expect(
      within(temporal)
        .getByRole('link', { name: /Schedules/ })
        .getAttribute('href'),
    ).toBe(`${UI}/namespaces/default/schedules`);
    first.unmount();
    vi.unstubAllGlobals();

    stubApi(() =>
      report({
        credits: { held: 0, holds: 0, oldestAgeSeconds: 0 },
        temporal: { namespace: 'default', uiUrl: null, workflowsUrl: null, schedulesUrl: null },
      }),
    );
    renderPage('/admin/operations', <OperationsPage />);
    expect(await screen.findByText(/set TEMPORAL_UI_PUBLIC_URL/)).toBeTruthy();
    const held = screen.getByRole('region', { name: 'Credits held' });
    expect(held.textContent).toContain('Oldest unsettled holdnone');
    expect(held.textContent).not.toContain('older than a day');
  });
});
