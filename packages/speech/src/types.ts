/** Mono PCM audio as float samples in -1..1. */
export interface MonoAudio {
  readonly samples: Float32Array;
  readonly sampleRate: number;
}

/** Cancellation and progress hooks shared by every speech engine call. */
export interface RunControl {
  readonly signal?: AbortSignal;
  /** Called with a fraction in 0..1 after each unit of work (a sentence, a chunk). */
  readonly onProgress?: (fraction: number) => void;
}

/** One recognised word, with times in seconds on the input's timeline. */
export interface TranscribedWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  /** Recogniser's own confidence in 0..1 when it reports one. */
  readonly confidence?: number;
}

/** A run of words the recogniser grouped together (a phrase or sentence). */
export interface TranscriptSegment {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Speech-to-text output; `words` is always present (empty when nothing was spoken). */
export interface TranscriptionResult {
  readonly text: string;
  readonly language: string;
  readonly modelId: string;
  readonly words: TranscribedWord[];
  readonly segments: TranscriptSegment[];
  /** Number of pieces the VAD-gated audio was cut into for the model. */
  readonly chunks: number;
  readonly durationSeconds: number;
}

/** Thrown when a model or tool the engine needs is missing from this machine. */
export class SpeechEngineUnavailableError extends Error {
  readonly code = 'SPEECH_ENGINE_UNAVAILABLE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'SpeechEngineUnavailableError';
  }
}

/** Thrown for requests no engine can satisfy (bad text length, unknown voice, unsupported language). */
export class SpeechRequestError extends Error {
  readonly code = 'SPEECH_BAD_REQUEST' as const;
  constructor(message: string) {
    super(message);
    this.name = 'SpeechRequestError';
  }
}

/** Throws the signal's reason (an AbortError by default) when it has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}
