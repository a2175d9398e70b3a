export { withHeartbeats } from '@voice/activity-kit';

/** JSON turns -Infinity (the loudness of silence) into null; make that explicit and round for readability. */
export function finiteOrNull(value: number, decimals = 2): number | null {
  if (!Number.isFinite(value)) return null;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
