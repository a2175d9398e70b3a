import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';

import { api, ApiError, unwrap } from '../../api/client';
import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { FormField } from '../../components/form-field';

/** Asks for a reset link. The API answers alike for every address, so the page does too. */
export function ForgotPasswordPage() {
  const [sentTo, setSentTo] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [fieldError, setFieldError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email') ?? '').trim();
    setBusy(true);
    setError(undefined);
    setFieldError(undefined);
    try {
      unwrap(await api.POST('/api/auth/forgot-password', { body: { email } }));
      setSentTo(email);
    } catch (caught) {
      const field = caught instanceof ApiError ? caught.fieldErrors()['email'] : undefined;
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
        <h1 className="mt-2 text-2xl font-bold">Reset your password</h1>
      </div>
      {sentTo ? (
        <p role="status" className="rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900">
          If {sentTo} has an account, a link to set a new password is on its way. It works once, for 30 minutes.
        </p>
      ) : (
        <form className="flex flex-col gap-4" noValidate onSubmit={(event) => void submit(event)}>
          <FormField label="Email" name="email" type="email" autoComplete="email" required error={fieldError} />
          <ErrorAlert error={error} />
          <Button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Send the link'}
          </Button>
        </form>
      )}
      <p className="text-sm text-slate-700">
        <Link className="font-semibold text-indigo-700 underline" to="/sign-in">
          Back to sign in
        </Link>
      </p>
    </main>
  );
}
