import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <section className="flex flex-col gap-3">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p>
        There is nothing here.{' '}
        <Link className="font-semibold text-indigo-700 underline" to="/">
          Go to the dashboard
        </Link>
        .
      </p>
    </section>
  );
}
