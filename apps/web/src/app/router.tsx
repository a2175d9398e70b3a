import { createBrowserRouter } from 'react-router';

import { Layout } from '../components/layout';
import { NotFoundPage } from '../components/not-found-page';
import { adminRoutes } from '../features/admin/admin-routes';
import { AuthPage } from '../features/auth/auth-page';
import { RequireAuth } from '../features/auth/require-auth';
import { DashboardPage } from '../features/dashboard/dashboard-page';
import { page } from './lazy-page';

/** Every page of the app. The API answers index.html for each of these paths, so deep links work. */
export const router = createBrowserRouter([
  { path: '/sign-in', element: <AuthPage mode="sign-in" /> },
  { path: '/sign-up', element: <AuthPage mode="sign-up" /> },
  {
    path: '/forgot-password',
    lazy: page(
      () => import('../features/auth/forgot-password-page'),
      (m) => m.ForgotPasswordPage,
    ),
  },
  {
    path: '/reset-password',
    lazy: page(
      () => import('../features/auth/reset-password-page'),
      (m) => m.ResetPasswordPage,
    ),
  },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <Layout />,
        children: [
          { index: true, element: <DashboardPage /> },
          {
            path: 'jobs/new',
            lazy: page(
              () => import('../features/jobs/new-job-page'),
              (m) => m.NewJobPage,
            ),
          },
          {
            path: 'jobs/:jobId',
            lazy: page(
              () => import('../features/jobs/job-page'),
              (m) => m.JobPage,
            ),
          },
          {
            path: 'history',
            lazy: page(
              () => import('../features/jobs/history-page'),
              (m) => m.HistoryPage,
            ),
          },
          {
            path: 'voices',
            lazy: page(
              () => import('../features/voices/voices-page'),
              (m) => m.VoicesPage,
            ),
          },
          {
            path: 'models',
            lazy: page(
              () => import('../features/models/models-page'),
              (m) => m.ModelsPage,
            ),
          },
          ...adminRoutes,
          {
            path: 'billing',
            lazy: page(
              () => import('../features/billing/billing-page'),
              (m) => m.BillingPage,
            ),
          },
          {
            path: 'billing/buy',
            lazy: page(
              () => import('../features/billing/buy-credits-page'),
              (m) => m.BuyCreditsPage,
            ),
          },
          {
            path: 'developer',
            lazy: page(
              () => import('../features/developer/developer-page'),
              (m) => m.DeveloperPage,
            ),
          },
          {
            path: 'account',
            lazy: page(
              () => import('../features/account/account-page'),
              (m) => m.AccountPage,
            ),
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
