/** Placeholder: built in its own change. */
export function VoicesPage() {
  return <h1 className="text-2xl font-bold">Voice library</h1>;
}
