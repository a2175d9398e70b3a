import { type FormEvent, useId, useState } from 'react';
import { Link } from 'react-router';

import { ApiError } from '../../../api/client';
import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { FormField } from '../../../components/form-field';
import { useAuth } from '../../auth/auth-context';
import { useAdminProfile, useConfirmMfaEnrolment, useStartMfaEnrolment } from '../admin-queries';

/**
 * The QR code as an image, never as markup in the page: an <img> renders the SVG without running anything in it,
 * where innerHTML would put whatever the string holds into the document.
 */
function qrImageSource(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** "JBSWY3DPEHPK3PXP…" in groups of four, easier to type into an app that cannot scan. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Admins enrol an authenticator (TOTP) before any admin page opens: scan the QR code (or type the secret), confirm
 * with a first code, then keep the ten recovery codes, shown this once.
 */
export function MfaEnrolPage() {
  const { state } = useAuth();
  const profile = useAdminProfile();
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();

  if (recoveryCodes) return <RecoveryCodes codes={recoveryCodes} />;
  if (state.status === 'signed-in' && state.user.role !== 'admin') {
    return (
      <section className="flex flex-col gap-2">
        <h1 className="text-2xl font-bold">Admins only</h1>
        <p>Only administrators enrol an authenticator here.</p>
      </section>
    );
  }
  if (profile.isPending) {
    return (
      <p role="status" className="text-slate-600">
        Loading…
      </p>
    );
  }
  if (profile.data?.mfa.enrolled) {
    return (
      <section className="flex flex-col items-start gap-3">
        <h1 className="text-2xl font-bold">Authenticator set up</h1>
        <p>
          Your account is protected by an authenticator app; {profile.data.mfa.recoveryCodesRemaining} recovery codes
          are left.
        </p>
        <Link to="/admin/users" className="font-semibold text-indigo-700 underline">
          Go to the admin pages
        </Link>
      </section>
    );
  }
  const code = profile.error instanceof ApiError ? profile.error.code : undefined;
  if (code === 'MFA_REQUIRED') {
    return (
      <section className="flex flex-col gap-2">
        <h1 className="text-2xl font-bold">Authenticator set up</h1>
        <p>This account already has an authenticator. Sign out and sign in again with a one-time code.</p>
      </section>
    );
  }
  if (code !== 'MFA_ENROLMENT_REQUIRED')
    return <ErrorAlert error={profile.error} title="Could not check your account" />;
  return <Enrolment onConfirmed={setRecoveryCodes} />;
}

function Enrolment({ onConfirmed }: { onConfirmed: (codes: string[]) => void }) {
  const id = useId();
  const { adopt } = useAuth();
  const start = useStartMfaEnrolment();
  const confirm = useConfirmMfaEnrolment();
  const [fieldError, setFieldError] = useState<string>();
  const enrolment = start.data;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code') ?? '').trim();
    if (!/^\d{6}$/.test(code)) {
      setFieldError('Enter the 6-digit code your app shows now.');
      return;
    }
    setFieldError(undefined);
    confirm.mutate(code, {
      onSuccess: ({ recoveryCodes, ...session }) => {
        // The confirming code opened a new session that passed the second factor; the old one was revoked.
        onConfirmed(recoveryCodes);
        adopt(session);
      },
    });
  };

  return (
    <section className="flex max-w-xl flex-col gap-4">
      <h1 className="text-2xl font-bold">Set up your authenticator</h1>
      <p>
        Admin accounts need a second factor. Use an authenticator app (such as Aegis, Google Authenticator or 1Password)
        to scan a code; from then on you sign in with your password and the 6-digit code the app shows.
      </p>
      {!enrolment ? (
        <div className="flex flex-col items-start gap-2">
          <ErrorAlert error={start.error} title="Could not start the set-up" />
          <Button onClick={() => start.mutate()} disabled={start.isPending}>
            {start.isPending ? 'Preparing…' : 'Show my QR code'}
          </Button>
        </div>
      ) : (
        <>
          <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
            <img
              src={qrImageSource(enrolment.qrCodeSvg)}
              alt="QR code to scan with your authenticator app"
              width={220}
              height={220}
              className="h-[220px] w-[220px] rounded border border-slate-200 bg-white"
            />
            <div className="flex min-w-0 flex-col gap-1 text-sm">
              <p className="font-medium">Cannot scan? Enter this key in the app:</p>
              <p id={`${id}-secret`} className="font-mono text-base break-all" data-testid="mfa-secret">
                {groupSecret(enrolment.secret)}
              </p>
              <p className="text-slate-600">Time-based, 6 digits, every 30 seconds.</p>
            </div>
          </div>
          <form className="flex flex-col gap-3" noValidate onSubmit={submit}>
            <FormField
              label="Code from the app"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              required
              error={fieldError}
            />
            <ErrorAlert error={confirm.error} title="Not confirmed" />
            <div>
              <Button type="submit" disabled={confirm.isPending}>
                {confirm.isPending ? 'Confirming…' : 'Confirm'}
              </Button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}

/** The ten single-use recovery codes, shown once: copy them, download them, and confirm they are kept. */
function RecoveryCodes({ codes }: { codes: string[] }) {
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState<string>();
  const text = `Voice Studio recovery codes (each works once)\n\n${codes.join('\n')}\n`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Copying is not allowed here: select the codes and copy them, or download them.');
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'voice-studio-recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="flex max-w-xl flex-col gap-4">
      <h1 className="text-2xl font-bold">Save your recovery codes</h1>
      <p>
        Your authenticator is set up. If you lose your device, each of these codes signs you in once instead of a
        one-time code. They are shown only now: keep them somewhere safe.
      </p>
      <ol
        aria-label="Recovery codes"
        className="grid grid-cols-1 gap-1 rounded-md border border-slate-200 bg-white p-3 font-mono sm:grid-cols-2"
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => void copy()}>
          Copy codes
        </Button>
        <Button variant="secondary" onClick={download}>
          Download as a text file
        </Button>
      </div>
      {copied ? (
        <p role="status" className="text-sm text-slate-700">
          {copied}
        </p>
      ) : null}
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={saved} onChange={(event) => setSaved(event.target.checked)} />I have saved my
        recovery codes
      </label>
      <div>
        {saved ? (
          <Link
            to="/admin/users"
            className="inline-block rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white"
          >
            Continue to the admin pages
          </Link>
        ) : (
          <Button disabled>Continue to the admin pages</Button>
        )}
      </div>
    </section>
  );
}
