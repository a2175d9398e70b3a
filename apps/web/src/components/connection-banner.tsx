import { useEffect, useState } from 'react';

/** Says when the browser is offline; queries retry on their own once it is back (TanStack Query refetches on reconnect). */
export function ConnectionBanner() {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  if (online) return null;
  return (
    <div role="status" className="bg-amber-100 px-4 py-2 text-center text-sm text-amber-900">
      You are offline. Changes will be retried when the connection is back.
    </div>
  );
}
