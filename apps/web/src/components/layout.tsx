import { NavLink, Outlet } from 'react-router';

import { useAuth } from '../features/auth/auth-context';
import { VerifyEmailBanner } from '../features/auth/verify-email-banner';
import { Button } from './button';
import { ConnectionBanner } from './connection-banner';

const NAV = [
  { to: '/', label: 'Dashboard', end: true },
  { to: '/jobs/new', label: 'New job', end: false },
  { to: '/history', label: 'History', end: false },
  { to: '/voices', label: 'Voices', end: false },
  { to: '/models', label: 'Models', end: false },
  { to: '/billing/buy', label: 'Buy credits', end: false },
  { to: '/billing', label: 'Billing', end: true },
  { to: '/developer', label: 'Developer', end: false },
  { to: '/account', label: 'Account', end: false },
] as const;
const ADMIN_NAV = { to: '/admin', label: 'Admin', end: false } as const;

/** The signed-in shell: navigation that wraps on a phone, the page, and the connection state. */
export function Layout() {
  const { state, signOut } = useAuth();
  const nav = state.status === 'signed-in' && state.user.role === 'admin' ? [...NAV, ADMIN_NAV] : NAV;
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <ConnectionBanner />
      <VerifyEmailBanner />
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <span className="text-lg font-bold text-indigo-700">Voice Studio</span>
          <nav aria-label="Main" className="flex flex-wrap gap-1">
            {nav.map((item) => (
              <NavLink
                key={item.to}
                to={item.to}
                end={item.end}
                className={({ isActive }) =>
                  `rounded px-2 py-1 text-sm ${isActive ? 'bg-indigo-100 font-semibold text-indigo-800' : 'text-slate-700 hover:bg-slate-100'}`
                }
              >
                {item.label}
              </NavLink>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-2">
            {state.status === 'signed-in' ? (
              <span className="hidden text-sm text-slate-600 sm:inline">{state.user.email}</span>
            ) : null}
            <Button variant="secondary" onClick={() => void signOut()}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-5xl flex-1 px-4 py-6">
        <Outlet />
      </main>
    </div>
  );
}
