import { Navigate, type RouteObject } from 'react-router';

import { AdminShell } from './admin-shell';
import { AuditPage } from './audit/audit-page';
import { AdminJobsPage } from './jobs/admin-jobs-page';
import { MfaEnrolPage } from './mfa/mfa-enrol-page';
import { OperationsPage } from './operations/operations-page';
import { AdminPaymentsPage } from './payments/admin-payments-page';
import { SystemPage } from './system/system-page';
import { UserPage } from './users/user-page';
import { UsersPage } from './users/users-page';

/** The admin pages, inside the signed-in layout. Enrolment sits outside the shell: it is how an admin gets in. */
export const adminRoutes: RouteObject[] = [
  { path: 'admin/mfa', element: <MfaEnrolPage /> },
  {
    path: 'admin',
    element: <AdminShell />,
    children: [
      { index: true, element: <Navigate to="/admin/users" replace /> },
      { path: 'users', element: <UsersPage /> },
      { path: 'users/:userId', element: <UserPage /> },
      { path: 'jobs', element: <AdminJobsPage /> },
      { path: 'payments', element: <AdminPaymentsPage /> },
      { path: 'system', element: <SystemPage /> },
      { path: 'operations', element: <OperationsPage /> },
      { path: 'audit', element: <AuditPage /> },
    ],
  },
];
