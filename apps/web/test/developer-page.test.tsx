import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { DeveloperPage } from '../src/features/developer/developer-page';
import { renderPage } from './render-page';

const SECRET = `vp_live_${'Ab3'.repeat(14)}x`;

function apiKey(overrides: Record<string, unknown> = {}) {
  return {
    id: '0f6a2c1e-7b7d-4c1e-9a57-0c2b8e1d4f00',
    name: 'CI pipeline',
    prefix: 'vp_live_Ab3A',
    scopes: ['jobs:write', 'jobs:read'],
    createdAt: '2026-03-01T10:00:00.000Z',
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    status: 'active',
    ...overrides,
  };
}

const emptyUsage = (from: string, to: string) => ({
  from,
  to,
  keyId: null,
  rows: [],
  daily: [],
  byKey: [],
  total: { minutes: 0, credits: 0, charges: 0 },
});

/** A tiny in-memory API: keys can be created and revoked, and every request (with its body) is recorded. */
function fakeApi() {
  const keys = [apiKey()];
  const requests: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    const body: unknown = input.method === 'POST' ? await input.json() : undefined;
    requests.push({ method: input.method, path: `${url.pathname}${url.search}`, body });
    const json = (value: unknown, status = 200) =>
      new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
    if (url.pathname === '/api/developer/api-keys' && input.method === 'GET') return json({ items: keys });
    if (url.pathname === '/api/developer/api-keys' && input.method === 'POST') {
      const created = apiKey({ id: 'c7a1f3b2-0000-4000-8000-000000000001', name: (body as { name: string }).name });
      keys.unshift(created);
      return json({ key: created, secret: SECRET }, 201);
    }
    if (url.pathname.startsWith('/api/developer/api-keys/') && input.method === 'DELETE') {
      const key = keys.find((k) => url.pathname.endsWith(k.id));
      if (key) Object.assign(key, { status: 'revoked', revokedAt: '2026-03-02T10:00:00.000Z' });
      return json(key);
    }
    if (url.pathname === '/api/developer/usage') {
      return json(emptyUsage(url.searchParams.get('from') ?? '', url.searchParams.get('to') ?? ''));
    }
    return json({ statusCode: 404, error: { code: 'NOT_FOUND', message: 'no' } }, 404);
  });
  return requests;
}

describe('DeveloperPage', () => {
  beforeEach(() => {
    // jsdom has no <dialog> methods; the real ones make the page inert, these only toggle `open`.
    HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
      this.open = false;
    };
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('creates a key, shows its secret once, and forgets it after Done', async () => {
    const requests = fakeApi();
    renderPage('/developer', <DeveloperPage />);
    await screen.findByRole('article', { name: 'CI pipeline' });
    const form = screen.getByRole('form', { name: 'Create a key' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Uploader' } });
    fireEvent.click(within(form).getByRole('checkbox', { name: /Submit jobs/ }));
    fireEvent.click(within(form).getByRole('button', { name: 'Create key' }));

    const secret = await screen.findByRole('region', { name: 'Your new key “Uploader”' });
    expect(within(secret).getByLabelText('API key')).toHaveProperty('value', SECRET);
    expect(within(secret).getByText(/you will not see it again/)).toBeTruthy();
    expect(document.activeElement).toBe(within(secret).getByRole('heading'));
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      name: 'Uploader',
      scopes: ['jobs:write'],
      expiresAt: null,
    });
    await screen.findByRole('article', { name: 'Uploader' });

    fireEvent.click(within(secret).getByRole('button', { name: 'Done, I have saved it' }));
    await waitFor(() => expect(screen.queryByDisplayValue(SECRET)).toBeNull());
    expect(document.body.textContent).not.toContain(SECRET.slice(12));
    expect(screen.getByRole('form', { name: 'Create a key' })).toBeTruthy();
  });

  it('revokes a key only after confirmation, then shows it revoked', async () => {
    const requests = fakeApi();
    renderPage('/developer', <DeveloperPage />);
    const card = await screen.findByRole('article', { name: 'CI pipeline' });
    expect(within(card).getByText('Active')).toBeTruthy();
    expect(within(card).getByText('vp_live_Ab3A…')).toBeTruthy();
    expect(within(card).getByText('Submit jobs, Read jobs')).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Revoke CI pipeline' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “CI pipeline”?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);

    fireEvent.click(within(card).getByRole('button', { name: 'Revoke CI pipeline' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(within(card).getByText('Revoked')).toBeTruthy());
    expect(requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      '/api/developer/api-keys/0f6a2c1e-7b7d-4c1e-9a57-0c2b8e1d4f00',
    ]);
    expect(within(card).queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('asks for the last 30 UTC days by default and for one key when chosen', async () => {
    const requests = fakeApi();
    renderPage('/developer', <DeveloperPage />);
    await screen.findByText('No charges in this range.');
    const first = requests.find((r) => r.path.startsWith('/api/developer/usage'));
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    expect(first?.path).toBe(`/api/developer/usage?from=${from}&to=${today}`);
    expect(screen.getByRole('img', { name: /Minutes processed per day: none in this range/ })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Key'), { target: { value: '0f6a2c1e-7b7d-4c1e-9a57-0c2b8e1d4f00' } });
    await waitFor(() =>
      expect(requests.some((r) => r.path.endsWith('&key=0f6a2c1e-7b7d-4c1e-9a57-0c2b8e1d4f00'))).toBe(true),
    );
  });
});
