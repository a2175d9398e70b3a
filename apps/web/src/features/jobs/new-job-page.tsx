/** Placeholder: built in its own change. */
export function NewJobPage() {
  return <h1 className="text-2xl font-bold">New job</h1>;
}
