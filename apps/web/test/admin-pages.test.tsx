import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { session } from '../src/api/client';
import { AuthPage } from '../src/features/auth/auth-page';
import { AuthProvider } from '../src/features/auth/auth-context';
import { MfaEnrolPage } from '../src/features/admin/mfa/mfa-enrol-page';
import { CreditsForm } from '../src/features/admin/users/credits-form';

interface Seen {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

/** Like api-stub's stubApi, but keeps headers and JSON bodies (Idempotency-Key, the MFA token). */
function stubFetch(respond: (request: Seen) => unknown): Seen[] {
  const seen: Seen[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const text = await input.text();
    const request = {
      method: input.method,
      path: new URL(input.url).pathname,
      headers: input.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    seen.push(request);
    const answer = respond(request);
    if (answer instanceof Response) return answer;
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  return seen;
}

function apiError(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ statusCode: status, error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const ADMIN = { id: 'a1', email: 'admin@example.com', name: 'Admin', role: 'admin', creditsRemaining: 0 } as const;
const SESSION = { accessToken: 'access', expiresIn: 900, user: ADMIN };

function renderAt(url: string, routes: Array<{ path: string; element: ReactElement }>) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [url] });
  render(
    <QueryClientProvider client={queryClient}>
      <AuthProvider>
        <RouterProvider router={router} />
      </AuthProvider>
    </QueryClientProvider>,
  );
  return router;
}

afterEach(() => {
  vi.unstubAllGlobals();
  session.set(undefined);
});

describe('admin sign-in with a one-time code', () => {
  it('asks for the code after the password, refuses a wrong one in words, then signs in with POST /api/auth/mfa', async () => {
    const seen = stubFetch(({ path, body }) => {
      if (path === '/api/auth/refresh') return apiError(401, 'UNAUTHORIZED', 'Missing refresh token');
      if (path === '/api/auth/login') return { mfaRequired: true, mfaToken: 'challenge-token', expiresIn: 300 };
      if (path === '/api/auth/mfa') {
        return (body as { code: string }).code === '654321'
          ? SESSION
          : apiError(401, 'INVALID_MFA_CODE', 'Invalid one-time code');
      }
      return apiError(404, 'NOT_FOUND', path);
    });
    const router = renderAt('/sign-in', [
      { path: '/sign-in', element: <AuthPage mode="sign-in" /> },
      { path: '/', element: <p>Home</p> },
    ]);
    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'admin@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a long admin passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Enter your one-time code' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('One-time code'), { target: { value: '111111' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Invalid one-time code');
    expect(router.state.location.pathname).toBe('/sign-in');

    fireEvent.change(screen.getByLabelText('One-time code'), { target: { value: ' 654321 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect(await screen.findByText('Home')).toBeTruthy();
    const mfaCalls = seen.filter((request) => request.path === '/api/auth/mfa');
    expect(mfaCalls.map((request) => request.body)).toEqual([
      { mfaToken: 'challenge-token', code: '111111' },
      { mfaToken: 'challenge-token', code: '654321' },
    ]);
    expect(session.token).toBe('access');
  });

  it('an expired challenge goes back to the password step with the reason', async () => {
    stubFetch(({ path }) => {
      if (path === '/api/auth/refresh') return apiError(401, 'UNAUTHORIZED', 'Missing refresh token');
      if (path === '/api/auth/login') return { mfaRequired: true, mfaToken: 'old', expiresIn: 300 };
      return apiError(401, 'UNAUTHORIZED', 'Invalid or expired MFA token; sign in again');
    });
    renderAt('/sign-in', [{ path: '/sign-in', element: <AuthPage mode="sign-in" /> }]);
    fireEvent.change(await screen.findByLabelText('Email'), { target: { value: 'admin@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a long admin passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    fireEvent.change(await screen.findByLabelText('One-time code'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('sign in again');
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });
});

describe('credits form', () => {
  it('a retry of the same adjustment reuses its Idempotency-Key; a changed amount gets a new one', async () => {
    let fail = true;
    const seen = stubFetch(({ path }) => {
      if (fail) {
        fail = false;
        return apiError(503, 'SERVICE_UNAVAILABLE', 'The database is restarting');
      }
      return path.endsWith('/credits') ? { entryId: 'e1', balance: 2400, replayed: false, auditId: 7 } : {};
    });
    render(
      <QueryClientProvider client={new QueryClient()}>
        <CreditsForm userId="u1" />
      </QueryClientProvider>,
    );
    const form = screen.getByRole('form', { name: 'Grant or correct credits' });
    fireEvent.click(within(form).getByRole('button', { name: 'Grant credits' }));
    expect(within(form).getByText('Enter a number of minutes other than zero.')).toBeTruthy();
    expect(within(form).getByText('Say why: the reason is kept in the audit log.')).toBeTruthy();
    expect(seen).toHaveLength(0);

    fireEvent.change(within(form).getByLabelText('Minutes'), { target: { value: '10' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'outage' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Grant credits' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('The database is restarting');
    fireEvent.click(within(form).getByRole('button', { name: 'Grant credits' }));
    expect((await within(form).findByRole('status')).textContent).toContain('Granted 10 min 00 s');
    fireEvent.change(within(form).getByLabelText('Minutes'), { target: { value: '2' } });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'again' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Grant credits' }));
    await vi.waitFor(() => expect(seen).toHaveLength(3));

    const keys = seen.map((request) => request.headers.get('Idempotency-Key'));
    expect(keys[0]).toMatch(/^admin-[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(seen[0]?.body).toEqual({ kind: 'grant', amount: 600, reason: 'outage' });
    expect(seen[2]?.body).toEqual({ kind: 'grant', amount: 120, reason: 'again' });
  });
});

describe('MFA enrolment page', () => {
  it('shows the QR code as an image (never markup in the page), confirms, and shows the recovery codes once', async () => {
    const hostile =
      '<svg xmlns="http://www.w3.org/2000/svg"><script>window.pwned = true</script><path d="M0 0h1"/></svg>';
    const codes = Array.from({ length: 10 }, (_, index) => `code-${index}-abcd-efgh`);
    const seen = stubFetch(({ path }) => {
      if (path === '/api/auth/refresh') return SESSION;
      if (path === '/api/admin/me') return apiError(403, 'MFA_ENROLMENT_REQUIRED', 'Enrol first');
      if (path === '/api/admin/mfa/enrol') {
        return {
          otpauthUri: 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP',
          qrCodeSvg: hostile,
          secret: 'JBSWY3DPEHPK3PXP',
        };
      }
      if (path === '/api/admin/mfa/confirm') return { ...SESSION, accessToken: 'after-mfa', recoveryCodes: codes };
      return apiError(404, 'NOT_FOUND', path);
    });
    renderAt('/admin/mfa', [{ path: '/admin/mfa', element: <MfaEnrolPage /> }]);
    fireEvent.click(await screen.findByRole('button', { name: 'Show my QR code' }));
    const image = await screen.findByRole('img', { name: 'QR code to scan with your authenticator app' });
    expect(image.getAttribute('src')).toBe(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(hostile)}`);
    expect(document.querySelector('svg, script'), 'no SVG or script element made it into the page').toBeNull();
    expect(screen.getByTestId('mfa-secret').textContent).toBe('JBSW Y3DP EHPK 3PXP');

    fireEvent.change(screen.getByLabelText('Code from the app'), { target: { value: '12345' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(screen.getByText('Enter the 6-digit code your app shows now.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Code from the app'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    const list = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(codes);
    expect(session.token, 'the confirming code opened the session that passed MFA').toBe('after-mfa');
    expect(seen.find((request) => request.path === '/api/admin/mfa/confirm')?.body).toEqual({ code: '123456' });
    expect(screen.getByRole('button', { name: 'Download as a text file' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Continue to the admin pages' })).toBeNull();
    fireEvent.click(screen.getByLabelText('I have saved my recovery codes'));
    expect(screen.getByRole('link', { name: 'Continue to the admin pages' }).getAttribute('href')).toBe('/admin/users');
  });
});
