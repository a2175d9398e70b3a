/** Placeholder: built in its own change. */
export function HistoryPage() {
  return <h1 className="text-2xl font-bold">History</h1>;
}
