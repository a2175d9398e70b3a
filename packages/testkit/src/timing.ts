/** Wall-clock cost of processing audio: real-time factor = processing seconds / audio seconds (lower is faster). */
export async function measureRealTimeFactor<T>(
  audioSeconds: number,
  run: () => Promise<T>,
): Promise<{ result: T; seconds: number; realTimeFactor: number }> {
  const start = process.hrtime.bigint();
  const result = await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { result, seconds, realTimeFactor: seconds / audioSeconds };
}
