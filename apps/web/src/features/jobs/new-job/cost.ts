/**
 * The credits a submit holds, computed the way the API holds them (apps/api job-submission.service.ts): one
 * credit per second of the job's input, partial seconds rounded up (creditsForDurationMs in @voice/shared), once
 * for the whole chain, whatever its steps.
 * - An upload: its duration.
 * - Text (TTS): the expected speech, `ceil(characters / 15 / speed)` seconds (tts.step.ts estimateOutputMs).
 * - A generator: the `duration` it is asked for.
 * A test checks these against @voice/shared, so a change there fails here.
 */
export const TTS_CHARS_PER_SECOND = 15;

export function creditsForDurationMs(durationMs: number): number {
  return Math.ceil(Math.max(0, durationMs) / 1000);
}

export type CostInput =
  | { source: 'audio'; durationMs: number | undefined }
  | { source: 'text'; text: string; speed?: number }
  | { source: 'none'; durationSeconds?: number };

/** The hold in credit-seconds, or undefined while it cannot be known (no file yet, or an unreadable one). */
export function estimateCredits(input: CostInput): number | undefined {
  switch (input.source) {
    case 'audio':
      return input.durationMs === undefined ? undefined : creditsForDurationMs(input.durationMs);
    case 'text': {
      const speed = input.speed !== undefined && input.speed > 0 ? input.speed : 1;
      const outputMs = Math.ceil((speakableLength(input.text) / TTS_CHARS_PER_SECOND / speed) * 1000);
      return creditsForDurationMs(outputMs);
    }
    case 'none':
      return input.durationSeconds === undefined || !Number.isFinite(input.durationSeconds)
        ? undefined
        : creditsForDurationMs(Math.round(input.durationSeconds * 1000));
  }
}

/**
 * The length of the text the engine will get, near enough for an estimate: the API removes control characters
 * and emoji and collapses spaces before it counts (speakableText in @voice/shared).
 */
export function speakableLength(text: string): number {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\v\f]/g, ' ')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufeff]/gu, '')
    .replace(/\p{Extended_Pictographic}[\u{fe0e}\u{fe0f}\p{Emoji_Modifier}]*/gu, ' ')
    .replace(/[ \u00a0]{2,}/gu, ' ')
    .replace(/ *\n */gu, '\n')
    .trim().length;
}
