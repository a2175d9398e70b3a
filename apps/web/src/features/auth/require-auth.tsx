import { Navigate, Outlet, useLocation } from 'react-router';

import { useAuth } from './auth-context';

/** Routes below need a sign-in; the sign-in page returns to where the user was headed. */
export function RequireAuth() {
  const { state } = useAuth();
  const location = useLocation();
  if (state.status === 'restoring') {
    return (
      <p role="status" className="p-8 text-center text-slate-600">
        Loading…
      </p>
    );
  }
  if (state.status === 'signed-out') {
    return <Navigate to="/sign-in" replace state={{ from: `${location.pathname}${location.search}` }} />;
  }
  return <Outlet />;
}
