import { TIER_LABELS } from '../admin-labels';
import type { AdminUser } from '../admin-queries';

/** Tier, role and suspension at a glance; each badge says what it is in words, not only by colour. */
export function AccountBadges({ user }: { user: AdminUser }) {
  return (
    <>
      <span
        className={`rounded-full px-2 py-0.5 text-xs font-semibold ${user.tier === 'premium' ? 'bg-amber-100 text-amber-900' : 'bg-slate-100 text-slate-800'}`}
      >
        {TIER_LABELS[user.tier]}
      </span>
      {user.role === 'admin' ? (
        <span className="rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-semibold text-indigo-900">Admin</span>
      ) : null}
      {user.suspended ? (
        <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-900">Suspended</span>
      ) : null}
    </>
  );
}
