import { useState } from 'react';

/**
 * Pages walked through `before` cursors. The cursors are UI state (where the reader is), not server state: the
 * pages themselves stay in the query cache.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    before: cursors.at(-1),
    hasNewer: cursors.length > 0,
    older: (nextBefore: string) => setCursors((stack) => [...stack, nextBefore]),
    newer: () => setCursors((stack) => stack.slice(0, -1)),
    reset: () => setCursors([]),
  };
}
