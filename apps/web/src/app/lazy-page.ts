import type { ComponentType } from 'react';
import type { RouteObject } from 'react-router';

/**
 * A route whose page loads on first visit: its code, and what only it imports, is a chunk of its own, so signing in
 * does not download the job builder, the admin pages or billing.
 */
export const page =
  <M>(load: () => Promise<M>, pick: (module: M) => ComponentType): RouteObject['lazy'] =>
  async () => ({ Component: pick(await load()) });
