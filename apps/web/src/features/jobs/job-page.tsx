/** Placeholder: built in its own change. */
export function JobPage() {
  return <h1 className="text-2xl font-bold">Job</h1>;
}
