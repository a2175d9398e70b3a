/** Placeholder: built in its own change. */
export function ModelsPage() {
  return <h1 className="text-2xl font-bold">Models</h1>;
}
