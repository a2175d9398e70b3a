import { Navigate, NavLink, Outlet } from 'react-router';

import { ApiError } from '../../api/client';
import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { useAuth } from '../auth/auth-context';
import { useAdminProfile } from './admin-queries';

const SECTIONS = [
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/jobs', label: 'Jobs' },
  { to: '/admin/payments', label: 'Payments' },
  { to: '/admin/system', label: 'System' },
  { to: '/admin/operations', label: 'Operations' },
  { to: '/admin/audit', label: 'Audit log' },
] as const;

/**
 * The admin area: only for admins whose sign-in passed the second factor. The API decides (GET /api/admin/me); an
 * admin without an authenticator is sent to enrol, one with a password-only session is asked to sign in again.
 */
export function AdminShell() {
  const { state, signOut } = useAuth();
  const isAdmin = state.status === 'signed-in' && state.user.role === 'admin';
  const profile = useAdminProfile();

  if (!isAdmin) {
    return (
      <section className="flex flex-col gap-2">
        <h1 className="text-2xl font-bold">Admins only</h1>
        <p>This part of Voice Studio is for administrators.</p>
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
  if (profile.error instanceof ApiError && profile.error.code === 'MFA_ENROLMENT_REQUIRED') {
    return <Navigate to="/admin/mfa" replace />;
  }
  if (profile.error instanceof ApiError && profile.error.code === 'MFA_REQUIRED') {
    return (
      <section className="flex flex-col items-start gap-3">
        <h1 className="text-2xl font-bold">Sign in with your code</h1>
        <p>This session was opened without a one-time code. Sign out, then sign in again with your authenticator.</p>
        <Button onClick={() => void signOut()}>Sign out</Button>
      </section>
    );
  }
  if (profile.error) return <ErrorAlert error={profile.error} title="Could not open the admin pages" />;

  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Admin" className="flex flex-wrap gap-1 border-b border-slate-200 pb-2">
        {SECTIONS.map((section) => (
          <NavLink
            key={section.to}
            to={section.to}
            className={({ isActive }) =>
              `rounded px-3 py-1 text-sm ${isActive ? 'bg-slate-800 font-semibold text-white' : 'text-slate-700 hover:bg-slate-100'}`
            }
          >
            {section.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
