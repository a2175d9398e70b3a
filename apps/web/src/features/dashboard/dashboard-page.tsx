/** Placeholder: built in its own change. */
export function DashboardPage() {
  return <h1 className="text-2xl font-bold">Dashboard</h1>;
}
