import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'react-router';

import { api, ApiError, unwrap } from '../../api/client';
import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { FormField } from '../../components/form-field';

/** The mailed link carries its token in the fragment (`#token=…`), which never reaches a server or its logs. */
export function tokenFromHash(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token === null || token === '' ? undefined : token;
}

export function ResetPasswordPage() {
  const location = useLocation();
  const token = tokenFromHash(location.hash);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>();
  const [fieldError, setFieldError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!token) return;
    const password = String(new FormData(event.currentTarget).get('password') ?? '');
    setBusy(true);
    setError(undefined);
    setFieldError(undefined);
    try {
      unwrap(await api.POST('/api/auth/reset-password', { body: { token, password } }));
      setDone(true);
    } catch (caught) {
      const field = caught instanceof ApiError ? caught.fieldErrors()['password'] : undefined;
      if (field) setFieldError(field);
      else setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 px-4 py-10">
      <div>
        <p className="text-lg font-bold text-indigo-700">Voice Studio</p>
        <h1 className="mt-2 text-2xl font-bold">Choose a new password</h1>
      </div>
      {done ? (
        <p role="status" className="rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900">
          Your password is changed, and every other sign-in has been signed out.{' '}
          <Link className="font-semibold underline" to="/sign-in">
            Sign in
          </Link>
        </p>
      ) : token === undefined ? (
        <ErrorAlert
          error={new Error('This link is incomplete. Open the link from the mail again, or ask for a new one.')}
        />
      ) : (
        <form className="flex flex-col gap-4" noValidate onSubmit={(event) => void submit(event)}>
          <FormField
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            hint="At least 8 characters; a few unrelated words make a strong one."
            error={fieldError}
          />
          <ErrorAlert error={error} />
          <Button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Set the password'}
          </Button>
        </form>
      )}
      <p className="text-sm text-slate-700">
        <Link className="font-semibold text-indigo-700 underline" to="/forgot-password">
          Get a new link
        </Link>
      </p>
    </main>
  );
}
