import { CreditsSummary } from './credits-summary';
import { RecentJobs } from './recent-jobs';

export function DashboardPage() {
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Dashboard</h1>
      <CreditsSummary />
      <RecentJobs />
    </section>
  );
}
