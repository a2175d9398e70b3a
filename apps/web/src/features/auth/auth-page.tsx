import { type FormEvent, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';

import { ApiError } from '../../api/client';
import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { FormField } from '../../components/form-field';
import { type MfaChallenge, useAuth } from './auth-context';

type Mode = 'sign-in' | 'sign-up';

const COPY = {
  'sign-in': { title: 'Sign in', submit: 'Sign in', busy: 'Signing in…', other: 'sign-up' },
  'sign-up': { title: 'Create your account', submit: 'Create account', busy: 'Creating…', other: 'sign-in' },
} as const;

/** Sign in and sign up: field errors come from the API's validation details, anything else is shown above. */
export function AuthPage({ mode }: { mode: Mode }) {
  const { state, signIn, signUp } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  /** Set when sign-up found the email taken: the API mailed its owner, and the page says where to look. */
  const [sentTo, setSentTo] = useState<string>();
  const [challenge, setChallenge] = useState<MfaChallenge>();
  const copy = COPY[mode];

  if (state.status === 'signed-in') return <Navigate to={from} replace />;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    setSentTo(undefined);
    try {
      if (mode === 'sign-up') {
        const result = await signUp({ email, password, name: String(form.get('name') ?? '') });
        if (result.status === 'check-inbox') {
          setSentTo(email);
          return;
        }
      } else {
        const result = await signIn({ email, password });
        if (result.status === 'mfa-required') {
          setChallenge({ mfaToken: result.mfaToken, expiresIn: result.expiresIn });
          return;
        }
      }
      await navigate(from, { replace: true });
    } catch (caught) {
      const fields = caught instanceof ApiError ? caught.fieldErrors() : {};
      setFieldErrors(fields);
      if (Object.keys(fields).length === 0) setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (challenge) {
    return (
      <OneTimeCodeStep
        challenge={challenge}
        onSignedIn={() => void navigate(from, { replace: true })}
        onRestart={(reason) => {
          setChallenge(undefined);
          setError(reason);
        }}
      />
    );
  }

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 px-4 py-10">
      <div>
        <p className="text-lg font-bold text-indigo-700">Voice Studio</p>
        <h1 className="mt-2 text-2xl font-bold">{copy.title}</h1>
        {mode === 'sign-up' ? (
          <p className="mt-1 text-sm text-slate-600">
            New accounts start with 30 free minutes of audio. We mail you a link to confirm your address: you can try
            everything right away, and download once it is confirmed.
          </p>
        ) : null}
      </div>
      <form className="flex flex-col gap-4" noValidate onSubmit={(event) => void submit(event)}>
        {mode === 'sign-up' ? (
          <FormField label="Name" name="name" autoComplete="name" required error={fieldErrors['name']} />
        ) : null}
        <FormField label="Email" name="email" type="email" autoComplete="email" required error={fieldErrors['email']} />
        <FormField
          label="Password"
          name="password"
          type="password"
          autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
          required
          hint={mode === 'sign-up' ? 'At least 8 characters; a few unrelated words make a strong one.' : undefined}
          error={fieldErrors['password']}
        />
        <ErrorAlert error={error} />
        {sentTo ? (
          <p role="status" className="rounded-md border border-indigo-200 bg-indigo-50 p-3 text-sm text-slate-800">
            We sent a message to {sentTo}. If you already have an account with this address, sign in instead.
          </p>
        ) : null}
        <Button type="submit" disabled={busy}>
          {busy ? copy.busy : copy.submit}
        </Button>
      </form>
      <p className="text-sm text-slate-700">
        {mode === 'sign-in' ? 'New here? ' : 'Already have an account? '}
        <Link className="font-semibold text-indigo-700 underline" to={`/${copy.other}`} state={location.state}>
          {mode === 'sign-in' ? 'Create an account' : 'Sign in'}
        </Link>
      </p>
      {mode === 'sign-in' ? (
        <p className="text-sm text-slate-700">
          <Link className="font-semibold text-indigo-700 underline" to="/forgot-password">
            Forgot your password?
          </Link>
        </p>
      ) : null}
    </main>
  );
}

/**
 * The second step of an admin sign-in: the code from the authenticator app, or one of the recovery codes. A wrong
 * code may be retried here; an expired challenge (the token lives five minutes) starts again at the password.
 */
function OneTimeCodeStep({
  challenge,
  onSignedIn,
  onRestart,
}: {
  challenge: MfaChallenge;
  onSignedIn: () => void;
  onRestart: (reason?: unknown) => void;
}) {
  const { completeMfa } = useAuth();
  const [error, setError] = useState<unknown>();
  const [fieldError, setFieldError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code') ?? '').trim();
    if (code === '') {
      setFieldError('Enter the code from your authenticator app, or a recovery code.');
      return;
    }
    setBusy(true);
    setError(undefined);
    setFieldError(undefined);
    try {
      await completeMfa({ mfaToken: challenge.mfaToken, code });
      onSignedIn();
    } catch (caught) {
      // UNAUTHORIZED (not INVALID_MFA_CODE) means the challenge itself expired: back to the password.
      if (caught instanceof ApiError && caught.status === 401 && caught.code === 'UNAUTHORIZED') onRestart(caught);
      else setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 px-4 py-10">
      <div>
        <p className="text-lg font-bold text-indigo-700">Voice Studio</p>
        <h1 className="mt-2 text-2xl font-bold">Enter your one-time code</h1>
        <p className="mt-1 text-sm text-slate-600">
          This account is protected by an authenticator app. Open it and enter the 6-digit code for Voice Studio.
        </p>
      </div>
      <form className="flex flex-col gap-4" noValidate onSubmit={(event) => void submit(event)}>
        <FormField
          label="One-time code"
          name="code"
          autoComplete="one-time-code"
          autoFocus
          spellCheck={false}
          required
          hint="Lost your device? A recovery code (like abcd-efgh-jkmn-pqrs) works once instead."
          error={fieldError}
        />
        <ErrorAlert error={error} />
        <Button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Verify and sign in'}
        </Button>
      </form>
      <Button variant="secondary" onClick={() => onRestart()}>
        Use another account
      </Button>
    </main>
  );
}
