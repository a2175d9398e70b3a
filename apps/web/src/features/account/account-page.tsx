import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';

import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { FormField } from '../../components/form-field';
import { useAuth } from '../auth/auth-context';
import { useDeleteAccount, useExportData } from './privacy-queries';

/** The account page: for now, the user's own data (export and erasure). */
export function AccountPage() {
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold text-slate-900">Account</h1>
      <section
        aria-labelledby="your-data"
        className="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-4"
      >
        <h2 id="your-data" className="text-lg font-semibold text-slate-900">
          Your data
        </h2>
        <ExportData />
        <DeleteAccount />
      </section>
    </div>
  );
}

function ExportData() {
  const exportData = useExportData();
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm text-slate-700">
        A JSON file with your profile, credits and ledger, jobs, voices, API keys and usage, with links (valid 24 hours)
        to your files.
      </p>
      <div>
        <Button variant="secondary" onClick={() => exportData.mutate()} disabled={exportData.isPending}>
          {exportData.isPending ? 'Preparing…' : 'Download my data'}
        </Button>
      </div>
      {exportData.isSuccess ? (
        <p role="status" className="text-sm text-green-800">
          Downloaded {exportData.data}.
        </p>
      ) : null}
      {exportData.isError ? <ErrorAlert error={exportData.error} title="The export failed" /> : null}
    </div>
  );
}

function DeleteAccount() {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const deletion = useDeleteAccount();
  const { signOut } = useAuth();
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    deletion.mutate(password, {
      // The server cleared the refresh cookie; drop the cached data and the in-memory token, then leave.
      onSuccess: () => {
        queryClient.clear();
        void signOut().then(() => navigate('/sign-in', { replace: true }));
      },
    });
  };

  if (!open) {
    return (
      <div>
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete my account
        </Button>
      </div>
    );
  }
  return (
    <form
      onSubmit={submit}
      aria-labelledby="delete-title"
      className="flex flex-col gap-3 rounded-md border border-red-300 bg-red-50 p-4"
    >
      <h3 id="delete-title" className="font-semibold text-red-900">
        Delete your account?
      </h3>
      <p className="text-sm text-red-900">
        This cannot be undone. Your voices, files and jobs are erased, every sign-in and API key stops working, and your
        remaining credits are lost. Download your data first if you want to keep it.
      </p>
      <FormField
        label="Your password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      {deletion.isError ? <ErrorAlert error={deletion.error} title="The account was not deleted" /> : null}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="danger" disabled={deletion.isPending || password === ''}>
          {deletion.isPending ? 'Deleting…' : 'Delete my account for good'}
        </Button>
        <Button variant="secondary" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
