/** Why a voice-dsp call rejected its input; every code is a permanent (non-retryable) condition. */
export type VoiceDspErrorCode = 'INVALID_ARGUMENT' | 'INVALID_RANGE' | 'AUDIO_TOO_SHORT' | 'NO_VOICED_SPEECH';

/** Bad input to a voice-dsp function. Callers map it to a non-retryable failure / HTTP 400. */
export class VoiceDspError extends Error {
  constructor(
    readonly code: VoiceDspErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VoiceDspError';
  }
}

export function assertRate(sampleRate: number): void {
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192000) {
    throw new VoiceDspError(
      'INVALID_ARGUMENT',
      `sampleRate must be an integer between 8000 and 192000 Hz, got ${sampleRate}`,
    );
  }
}

export function assertFinite(value: number, name: string): void {
  if (!Number.isFinite(value))
    throw new VoiceDspError('INVALID_ARGUMENT', `${name} must be a finite number, got ${value}`);
}
