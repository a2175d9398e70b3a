import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { WebhooksSection } from '../src/features/developer/webhooks/webhooks-section';
import { renderPage } from './render-page';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CALLBACK_SECRET = 'whsec_CallbackCallbackCallbackCallback0';
const HOOK_ID = '3b0f0d1e-7b7d-4c1e-9a57-0c2b8e1d4f01';
const DELIVERY_ID = '9d1a2b3c-0000-4000-8000-0000000000aa';

function endpoint(overrides: Record<string, unknown> = {}) {
  return {
    id: HOOK_ID,
    url: 'https://hooks.example.com/voice',
    events: ['job.completed', 'job.failed'],
    createdAt: '2026-03-01T10:00:00.000Z',
    status: 'active',
    disabledAt: null,
    failingSince: null,
    ...overrides,
  };
}

function delivery(overrides: Record<string, unknown> = {}) {
  return {
    id: DELIVERY_ID,
    eventType: 'job.failed',
    eventId: 'msg_1',
    status: 'failed',
    attempts: 3,
    lastStatusCode: 500,
    lastError: null,
    nextAttemptAt: null,
    createdAt: '2026-03-01T11:00:00.000Z',
    deliveredAt: null,
    payload: { type: 'job.failed' },
    ...overrides,
  };
}

interface FakeOptions {
  /** The answer to POST /webhooks: created, or an error body and status. */
  create?: { status: number; body: unknown };
  redeliver?: { status: number; body: unknown };
}

/** An in-memory webhooks API recording every request; endpoints can be added and deleted, deliveries redelivered. */
function fakeApi(options: FakeOptions = {}) {
  const endpoints = [endpoint()];
  const deliveries = [delivery()];
  const requests: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    const body: unknown =
      input.method === 'POST' && url.pathname.endsWith('/webhooks') ? await input.json() : undefined;
    requests.push({ method: input.method, path: url.pathname, body });
    const json = (value: unknown, status = 200) =>
      new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
    const base = '/api/developer/webhooks';
    if (url.pathname === base && input.method === 'GET') return json({ items: endpoints });
    if (url.pathname === base && input.method === 'POST') {
      if (options.create) return json(options.create.body, options.create.status);
      const input = body as { url: string; events: string[] };
      const created = endpoint({ id: 'c7a1f3b2-0000-4000-8000-000000000002', ...input });
      endpoints.unshift(created);
      return json({ endpoint: created, secret: SECRET }, 201);
    }
    if (url.pathname === `${base}/callback-secret`) return json({ secret: CALLBACK_SECRET });
    if (url.pathname === `${base}/${HOOK_ID}` && input.method === 'DELETE') {
      const [removed] = endpoints.splice(
        endpoints.findIndex((e) => e.id === HOOK_ID),
        1,
      );
      return json(removed);
    }
    if (url.pathname === `${base}/${HOOK_ID}/deliveries`) return json({ items: deliveries });
    if (url.pathname === `${base}/${HOOK_ID}/deliveries/${DELIVERY_ID}/redeliver`) {
      if (options.redeliver) return json(options.redeliver.body, options.redeliver.status);
      Object.assign(deliveries[0] ?? {}, { status: 'pending', attempts: 0, lastStatusCode: null });
      return json(deliveries[0], 202);
    }
    return json({ statusCode: 404, error: { code: 'NOT_FOUND', message: 'no' } }, 404);
  });
  return requests;
}

describe('WebhooksSection', () => {
  beforeEach(() => {
    // jsdom has no <dialog> methods; these only toggle `open`.
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

  it('adds an endpoint, shows its signing secret once, and forgets it after Done', async () => {
    const requests = fakeApi();
    renderPage('/developer', <WebhooksSection />);
    await screen.findByRole('article', { name: 'https://hooks.example.com/voice' });
    const form = screen.getByRole('form', { name: 'Add an endpoint' });

    fireEvent.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    expect(within(form).getByText('Choose at least one event.')).toBeTruthy();
    expect(within(form).getByLabelText('Endpoint URL').getAttribute('aria-invalid')).toBe('true');
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    fireEvent.change(within(form).getByLabelText('Endpoint URL'), { target: { value: ' https://new.example.com/h ' } });
    fireEvent.click(within(form).getByRole('checkbox', { name: /payment\.succeeded/ }));
    fireEvent.click(within(form).getByRole('checkbox', { name: /job\.completed/ }));
    fireEvent.click(within(form).getByRole('button', { name: 'Add endpoint' }));

    const secret = await screen.findByRole('region', { name: 'Signing secret for the new endpoint' });
    expect(within(secret).getByLabelText('Signing secret')).toHaveProperty('value', SECRET);
    expect(within(secret).getByText(/you will not see it again/)).toBeTruthy();
    expect(document.activeElement).toBe(within(secret).getByRole('heading'));
    // Sent in the form's order, trimmed.
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
      url: 'https://new.example.com/h',
      events: ['job.completed', 'payment.succeeded'],
    });
    await screen.findByRole('article', { name: 'https://new.example.com/h' });

    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    fireEvent.click(within(secret).getByRole('button', { name: 'Copy signing secret' }));
    await within(secret).findByText('Copied to the clipboard.');
    expect(writeText).toHaveBeenCalledWith(SECRET);

    fireEvent.click(within(secret).getByRole('button', { name: 'Done, I have saved it' }));
    await waitFor(() => expect(screen.queryByDisplayValue(SECRET)).toBeNull());
    expect(document.body.textContent).not.toContain(SECRET);
    expect(screen.getByRole('form', { name: 'Add an endpoint' })).toBeTruthy();
  });

  it('says in words why the API refused the address', async () => {
    const message =
      'the host 10.0.0.5 resolves to 10.0.0.5, a private or loopback address; webhooks go to public addresses only';
    fakeApi({
      create: {
        status: 400,
        body: {
          statusCode: 400,
          error: {
            code: 'VALIDATION_FAILED',
            message: `Invalid request body: url: ${message}`,
            details: [{ field: 'url', message }],
          },
        },
      },
    });
    renderPage('/developer', <WebhooksSection />);
    const form = await screen.findByRole('form', { name: 'Add an endpoint' });
    fireEvent.change(within(form).getByLabelText('Endpoint URL'), { target: { value: 'http://10.0.0.5/hook' } });
    fireEvent.click(within(form).getByRole('checkbox', { name: /job\.failed/ }));
    fireEvent.click(within(form).getByRole('button', { name: 'Add endpoint' }));

    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toContain('The endpoint was not added');
    expect(alert.textContent).toContain(`This address cannot be used: ${message}.`);
    expect(alert.textContent).not.toContain('Invalid request body');
    expect(screen.queryByRole('region', { name: /Signing secret/ })).toBeNull();
  });

  it('lists endpoints with their status and deletes one only after confirmation', async () => {
    const requests = fakeApi();
    renderPage('/developer', <WebhooksSection />);
    const card = await screen.findByRole('article', { name: 'https://hooks.example.com/voice' });
    expect(within(card).getByText('Active')).toBeTruthy();
    expect(within(card).getByText('job.completed, job.failed')).toBeTruthy();

    fireEvent.click(within(card).getByRole('button', { name: 'Delete https://hooks.example.com/voice' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this endpoint?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);

    fireEvent.click(within(card).getByRole('button', { name: 'Delete https://hooks.example.com/voice' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete endpoint' }));
    await screen.findByText('No endpoints yet. Add one above.');
    expect(requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      `/api/developer/webhooks/${HOOK_ID}`,
    ]);
  });

  it('shows a disabled endpoint as such, without Redeliver', async () => {
    vi.stubGlobal('fetch', async (input: Request) => {
      const path = new URL(input.url).pathname;
      const items =
        path === '/api/developer/webhooks'
          ? [endpoint({ status: 'disabled', disabledAt: '2026-03-02T10:00:00.000Z' })]
          : [delivery()];
      return new Response(JSON.stringify({ items }), { headers: { 'content-type': 'application/json' } });
    });
    renderPage('/developer', <WebhooksSection />);
    const card = await screen.findByRole('article', { name: 'https://hooks.example.com/voice' });
    expect(within(card).getByText('Disabled')).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: /Show deliveries/ }));
    await within(card).findByText('HTTP 500');
    expect(within(card).queryByRole('button', { name: /Redeliver/ })).toBeNull();
  });

  it('shows deliveries on demand and redelivers one', async () => {
    const requests = fakeApi();
    renderPage('/developer', <WebhooksSection />);
    const card = await screen.findByRole('article', { name: 'https://hooks.example.com/voice' });
    expect(requests.some((r) => r.path.endsWith('/deliveries'))).toBe(false);
    const toggle = within(card).getByRole('button', { name: /Show deliveries/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');

    const list = await within(card).findByRole('list', { name: 'Deliveries' });
    const item = within(list).getByRole('listitem');
    expect(within(item).getByText('job.failed')).toBeTruthy();
    expect(within(item).getByText('Failed')).toBeTruthy();
    expect(within(item).getByText('3')).toBeTruthy();
    expect(within(item).getByText('HTTP 500')).toBeTruthy();

    fireEvent.click(within(item).getByRole('button', { name: /^Redeliver job\.failed/ }));
    await within(card).findByText('Retrying');
    expect(within(card).getByText('Not sent yet')).toBeTruthy();
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      `/api/developer/webhooks/${HOOK_ID}/deliveries/${DELIVERY_ID}/redeliver`,
    ]);
    expect(within(card).queryByRole('alert')).toBeNull();
  });

  it('says in words why a redelivery was refused (409)', async () => {
    fakeApi({
      redeliver: {
        status: 409,
        body: {
          statusCode: 409,
          error: {
            code: 'WEBHOOK_DELIVERY_IN_PROGRESS',
            message: 'This delivery is still being retried; wait for it to end',
          },
        },
      },
    });
    renderPage('/developer', <WebhooksSection />);
    const card = await screen.findByRole('article', { name: 'https://hooks.example.com/voice' });
    fireEvent.click(within(card).getByRole('button', { name: /Show deliveries/ }));
    fireEvent.click(await within(card).findByRole('button', { name: /^Redeliver/ }));
    const alert = await within(card).findByRole('alert');
    expect(alert.textContent).toContain('The delivery was not sent again');
    expect(alert.textContent).toContain('This delivery is still being retried; wait for it to end');
    expect(alert.textContent).not.toContain('{');
  });

  it('fetches the callback secret only when asked to show it', async () => {
    const requests = fakeApi();
    renderPage('/developer', <WebhooksSection />);
    await screen.findByRole('article', { name: 'https://hooks.example.com/voice' });
    expect(requests.some((r) => r.path.endsWith('/callback-secret'))).toBe(false);
    expect(screen.queryByDisplayValue(CALLBACK_SECRET)).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Show callback secret' }));
    expect(await screen.findByLabelText('Callback secret')).toHaveProperty('value', CALLBACK_SECRET);
    fireEvent.click(screen.getByRole('button', { name: 'Hide callback secret' }));
    expect(screen.queryByDisplayValue(CALLBACK_SECRET)).toBeNull();
    expect(requests.filter((r) => r.path.endsWith('/callback-secret'))).toHaveLength(1);
  });
});
