import { QUALITY_LIMITS, TRUE_PEAK_CEILING_DBTP } from '@voice/shared';

/** What the quality gate measures of a deliverable (an `AudioMeter` result has all of it). */
export interface MeasuredAudio {
  durationMs: number;
  integratedLufs: number;
  truePeakDbtp: number;
  clippedSampleRatio: number;
  silent: boolean;
}

/**
 * The quality gate every output passes before it is billed: not silent, not clipped, the expected duration (within
 * `QUALITY_LIMITS`), on the loudness target, under the true-peak ceiling. Returns human-readable reasons an output
 * may not be delivered; empty when it passes.
 */
export function qualityProblems(
  analysis: MeasuredAudio,
  expectedDurationMs: number | undefined,
  targetLufs: number | null,
): string[] {
  const problems: string[] = [];
  if (analysis.silent) problems.push('output is silent');
  if (analysis.clippedSampleRatio > QUALITY_LIMITS.maxClippedSampleRatio) {
    problems.push(`output is clipped (${(analysis.clippedSampleRatio * 100).toFixed(3)}% of samples at full scale)`);
  }
  if (expectedDurationMs !== undefined) {
    const durationTolerance = Math.max(QUALITY_LIMITS.durationToleranceMs, expectedDurationMs * 0.005);
    if (Math.abs(analysis.durationMs - expectedDurationMs) > durationTolerance) {
      problems.push(`output lasts ${Math.round(analysis.durationMs)} ms but ${expectedDurationMs} ms were expected`);
    }
  }
  if (
    targetLufs !== null &&
    !analysis.silent &&
    Math.abs(analysis.integratedLufs - targetLufs) > QUALITY_LIMITS.loudnessToleranceLu
  ) {
    problems.push(`loudness ${analysis.integratedLufs.toFixed(1)} LUFS misses the ${targetLufs} LUFS target`);
  }
  if (analysis.truePeakDbtp > TRUE_PEAK_CEILING_DBTP + QUALITY_LIMITS.truePeakToleranceDb) {
    problems.push(`true peak ${analysis.truePeakDbtp.toFixed(2)} dBTP exceeds ${TRUE_PEAK_CEILING_DBTP} dBTP`);
  }
  return problems;
}
