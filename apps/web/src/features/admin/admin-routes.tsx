import { Navigate, type RouteObject } from 'react-router';

import { page } from '../../app/lazy-page';
import { AdminShell } from './admin-shell';

/** The admin pages, inside the signed-in layout. Enrolment sits outside the shell: it is how an admin gets in. */
export const adminRoutes: RouteObject[] = [
  {
    path: 'admin/mfa',
    lazy: page(
      () => import('./mfa/mfa-enrol-page'),
      (m) => m.MfaEnrolPage,
    ),
  },
  {
    path: 'admin',
    element: <AdminShell />,
    children: [
      { index: true, element: <Navigate to="/admin/users" replace /> },
      {
        path: 'users',
        lazy: page(
          () => import('./users/users-page'),
          (m) => m.UsersPage,
        ),
      },
      {
        path: 'users/:userId',
        lazy: page(
          () => import('./users/user-page'),
          (m) => m.UserPage,
        ),
      },
      {
        path: 'jobs',
        lazy: page(
          () => import('./jobs/admin-jobs-page'),
          (m) => m.AdminJobsPage,
        ),
      },
      {
        path: 'payments',
        lazy: page(
          () => import('./payments/admin-payments-page'),
          (m) => m.AdminPaymentsPage,
        ),
      },
      {
        path: 'system',
        lazy: page(
          () => import('./system/system-page'),
          (m) => m.SystemPage,
        ),
      },
      {
        path: 'operations',
        lazy: page(
          () => import('./operations/operations-page'),
          (m) => m.OperationsPage,
        ),
      },
      {
        path: 'audit',
        lazy: page(
          () => import('./audit/audit-page'),
          (m) => m.AuditPage,
        ),
      },
    ],
  },
];
