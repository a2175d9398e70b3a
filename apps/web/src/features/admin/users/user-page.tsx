import { Link, useParams } from 'react-router';

import { ErrorAlert } from '../../../components/error-alert';
import { formatCredits, formatDateTime } from '../../../lib/format';
import { useAuth } from '../../auth/auth-context';
import { useAdminUser } from '../admin-queries';
import { AuditTable } from '../audit/audit-table';
import { AdminJobsTable } from '../jobs/admin-jobs-table';
import { SuspensionForm, TierForm } from './account-actions';
import { AccountBadges } from './account-badges';
import { CreditsForm } from './credits-form';
import { LedgerTable } from './ledger-table';

const PANEL = 'rounded-md border border-slate-200 bg-white p-4';

/** One user: the account, balance and ledger, their latest jobs, what admins did to it; and the actions. */
export function UserPage() {
  const { userId = '' } = useParams();
  const { state } = useAuth();
  const detail = useAdminUser(userId);
  const data = detail.data;

  if (detail.error) {
    return (
      <section className="flex flex-col gap-3">
        <h1 className="text-2xl font-bold">User</h1>
        <ErrorAlert error={detail.error} title="Could not load this user" />
        <Link to="/admin/users" className="text-indigo-700 underline">
          Back to users
        </Link>
      </section>
    );
  }
  if (!data) {
    return (
      <p role="status" className="text-slate-600">
        Loading…
      </p>
    );
  }
  const { user } = data;
  const isSelf = state.status === 'signed-in' && state.user.id === user.id;
  return (
    <section className="flex flex-col gap-4">
      <div className="flex flex-col gap-1">
        <Link to="/admin/users" className="text-sm text-indigo-700 underline">
          ← Users
        </Link>
        <h1 className="text-2xl font-bold break-all">{user.email}</h1>
        <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
          <span>{user.name}</span>
          <AccountBadges user={user} />
        </div>
      </div>
      <dl className={`${PANEL} grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2`}>
        <div>
          <dt className="text-slate-600">Balance</dt>
          <dd className="text-lg font-semibold">{formatCredits(data.credits.balance)}</dd>
        </div>
        <div>
          <dt className="text-slate-600">Held by jobs (until settled or downloaded)</dt>
          <dd className="text-lg font-semibold">{formatCredits(data.credits.held)}</dd>
        </div>
        <div>
          <dt className="text-slate-600">Joined</dt>
          <dd>{formatDateTime(user.createdAt)}</dd>
        </div>
        <div>
          <dt className="text-slate-600">User id</dt>
          <dd className="font-mono text-xs break-all">{user.id}</dd>
        </div>
        {user.suspendedAt ? (
          <div>
            <dt className="text-slate-600">Suspended since</dt>
            <dd>{formatDateTime(user.suspendedAt)}</dd>
          </div>
        ) : null}
      </dl>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className={PANEL}>
          <CreditsForm userId={user.id} />
        </div>
        <div className={PANEL}>
          <TierForm key={user.tier} user={user} />
        </div>
        <div className={PANEL}>
          <SuspensionForm user={user} isSelf={isSelf} />
        </div>
      </div>
      <section aria-labelledby="ledger-title" className={`${PANEL} flex flex-col gap-2`}>
        <h2 id="ledger-title" className="text-lg font-semibold">
          Ledger
        </h2>
        <LedgerTable entries={data.ledger} />
      </section>
      <section aria-labelledby="jobs-title" className={`${PANEL} flex flex-col gap-2`}>
        <h2 id="jobs-title" className="text-lg font-semibold">
          Latest jobs
        </h2>
        {data.jobs.length > 0 ? (
          <>
            <AdminJobsTable jobs={data.jobs} caption={`Latest jobs of ${user.email}`} showOwner={false} />
            <Link to={`/admin/jobs?user=${user.id}`} className="text-sm text-indigo-700 underline">
              All jobs of this user ({data.jobsTotal})
            </Link>
          </>
        ) : (
          <p className="text-sm text-slate-700">No jobs yet.</p>
        )}
      </section>
      <section aria-labelledby="audit-title" className={`${PANEL} flex flex-col gap-2`}>
        <h2 id="audit-title" className="text-lg font-semibold">
          Admin actions on this account
        </h2>
        {data.audit.length > 0 ? (
          <AuditTable entries={data.audit} caption={`Admin actions on ${user.email}`} />
        ) : (
          <p className="text-sm text-slate-700">None yet.</p>
        )}
      </section>
    </section>
  );
}
