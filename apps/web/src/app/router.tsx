import { createBrowserRouter } from 'react-router';

import { Layout } from '../components/layout';
import { NotFoundPage } from '../components/not-found-page';
import { AccountPage } from '../features/account/account-page';
import { adminRoutes } from '../features/admin/admin-routes';
import { AuthPage } from '../features/auth/auth-page';
import { ForgotPasswordPage } from '../features/auth/forgot-password-page';
import { ResetPasswordPage } from '../features/auth/reset-password-page';
import { RequireAuth } from '../features/auth/require-auth';
import { BillingPage } from '../features/billing/billing-page';
import { BuyCreditsPage } from '../features/billing/buy-credits-page';
import { DashboardPage } from '../features/dashboard/dashboard-page';
import { DeveloperPage } from '../features/developer/developer-page';
import { HistoryPage } from '../features/jobs/history-page';
import { JobPage } from '../features/jobs/job-page';
import { NewJobPage } from '../features/jobs/new-job-page';
import { ModelsPage } from '../features/models/models-page';
import { VoicesPage } from '../features/voices/voices-page';

/** Every page of the app. The API answers index.html for each of these paths, so deep links work. */
export const router = createBrowserRouter([
  { path: '/sign-in', element: <AuthPage mode="sign-in" /> },
  { path: '/sign-up', element: <AuthPage mode="sign-up" /> },
  { path: '/forgot-password', element: <ForgotPasswordPage /> },
  { path: '/reset-password', element: <ResetPasswordPage /> },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <Layout />,
        children: [
          { index: true, element: <DashboardPage /> },
          { path: 'jobs/new', element: <NewJobPage /> },
          { path: 'jobs/:jobId', element: <JobPage /> },
          { path: 'history', element: <HistoryPage /> },
          { path: 'voices', element: <VoicesPage /> },
          { path: 'models', element: <ModelsPage /> },
          ...adminRoutes,
          { path: 'billing', element: <BillingPage /> },
          { path: 'billing/buy', element: <BuyCreditsPage /> },
          { path: 'developer', element: <DeveloperPage /> },
          { path: 'account', element: <AccountPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
