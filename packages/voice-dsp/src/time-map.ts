/**
 * One stretch of kept audio: original [originalStart, originalEnd) seconds now starts at newStart.
 * Material between consecutive segments was removed; crossfades blur each join by a few ms.
 */
export interface TimeMapSegment {
  readonly originalStart: number;
  readonly originalEnd: number;
  readonly newStart: number;
}

export type TimeMap = readonly TimeMapSegment[];

/** The identity map of a clip of `durationSeconds` (what a length-preserving edit returns). */
export function identityTimeMap(durationSeconds: number): TimeMapSegment[] {
  return [{ originalStart: 0, originalEnd: durationSeconds, newStart: 0 }];
}

/**
 * Maps an original time to the edited timeline. Times inside removed material collapse onto the
 * join (the start of the next kept segment), so a word that was cut becomes zero-length there.
 */
export function remapTime(map: TimeMap, originalTime: number): number {
  if (map.length === 0) return 0;
  // Binary search for the last segment starting at or before t.
  let lo = 0;
  let hi = map.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (map[mid]!.originalStart <= originalTime) lo = mid;
    else hi = mid - 1;
  }
  const seg = map[lo]!;
  if (originalTime < seg.originalStart) return seg.newStart;
  if (originalTime < seg.originalEnd) return seg.newStart + (originalTime - seg.originalStart);
  const next = map[lo + 1];
  return next ? next.newStart : seg.newStart + (seg.originalEnd - seg.originalStart);
}

/** Composes `first` (original → intermediate) with `second` (intermediate → final). Both sorted. */
export function composeTimeMaps(first: TimeMap, second: TimeMap): TimeMapSegment[] {
  const out: TimeMapSegment[] = [];
  let j = 0;
  for (const a of first) {
    const midStart = a.newStart;
    const midEnd = a.newStart + (a.originalEnd - a.originalStart);
    // Segments of `second` are sorted and disjoint, so the pointer only moves forward.
    while (j < second.length && second[j]!.originalEnd <= midStart) j++;
    for (let k = j; k < second.length; k++) {
      const b = second[k]!;
      if (b.originalStart >= midEnd) break;
      const x = Math.max(midStart, b.originalStart);
      const y = Math.min(midEnd, b.originalEnd);
      if (y <= x) continue;
      out.push({
        originalStart: a.originalStart + (x - midStart),
        originalEnd: a.originalStart + (y - midStart),
        newStart: b.newStart + (x - b.originalStart),
      });
    }
  }
  return out;
}
