import { type FormEvent, useId } from 'react';
import { Link, useSearchParams } from 'react-router';

import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { formatCredits, formatDateTime } from '../../../lib/format';
import { useUserSearch } from '../admin-queries';
import { PageControls } from '../page-controls';
import { AccountBadges } from './account-badges';

const PAGE_SIZE = 20;

/** Search users by part of an email or name, or a whole id; the query and page live in the URL. */
export function UsersPage() {
  const id = useId();
  const [search, setSearch] = useSearchParams();
  const q = search.get('q') ?? '';
  const page = Math.max(1, Number(search.get('page')) || 1);
  const users = useUserSearch({ ...(q ? { q } : {}), limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next = String(new FormData(event.currentTarget).get('q') ?? '').trim();
    setSearch(next ? { q: next } : {});
  };

  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Users</h1>
      <form role="search" aria-label="Search users" className="flex flex-wrap items-end gap-2" onSubmit={submit}>
        <div className="flex min-w-0 flex-1 flex-col gap-1">
          <label htmlFor={`${id}-q`} className="text-sm font-medium text-slate-800">
            Email, name or user id
          </label>
          <input
            id={`${id}-q`}
            name="q"
            type="search"
            defaultValue={q}
            key={q}
            className="min-w-0 rounded-md border border-slate-300 px-3 py-2 text-base"
          />
        </div>
        <Button type="submit">Search</Button>
      </form>
      <ErrorAlert error={users.error} title="Could not search users" />
      {users.isPending ? (
        <p role="status" className="text-slate-600">
          Searching…
        </p>
      ) : null}
      {users.data ? (
        <div className="flex flex-col gap-3" aria-busy={users.isPlaceholderData}>
          <p role="status" className="text-sm text-slate-700">
            {users.data.total === 0
              ? 'No users match.'
              : `${users.data.total} user${users.data.total === 1 ? '' : 's'}${q ? ` matching “${q}”` : ''}`}
          </p>
          {users.data.items.length > 0 ? (
            <ul className="flex flex-col divide-y divide-slate-200 rounded-md border border-slate-200 bg-white">
              {users.data.items.map((user) => (
                <li key={user.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
                  <div className="min-w-0">
                    <Link to={`/admin/users/${user.id}`} className="font-semibold break-all text-indigo-700 underline">
                      {user.email}
                    </Link>
                    <p className="text-xs text-slate-600">
                      {user.name} · joined {formatDateTime(user.createdAt)}
                    </p>
                  </div>
                  <div className="flex flex-wrap items-center gap-2 text-sm">
                    <AccountBadges user={user} />
                    <span className="text-slate-700">{formatCredits(user.creditsRemaining)}</span>
                  </div>
                </li>
              ))}
            </ul>
          ) : null}
          <PageControls
            page={page}
            hasNext={page * PAGE_SIZE < users.data.total}
            onPage={(next) => setSearch({ ...(q ? { q } : {}), ...(next > 1 ? { page: String(next) } : {}) })}
          />
        </div>
      ) : null}
    </section>
  );
}
