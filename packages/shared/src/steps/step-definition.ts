import type { z } from 'zod/v4';

/** Why a step was refused at submit; the API's error boundary answers `status` with `code`. */
export class StepRejection extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 404 = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'StepRejection';
  }
}

/** What a step needs installed: a model for a task, optionally a named one or one for a language. */
export interface ModelNeed {
  task: 'denoise' | 'stt' | 'tts' | 'voice-conversion';
  requested?: string;
  language?: string;
}

/** A library voice a user may use, with the characteristics the converter aims for. */
export interface UsableVoice {
  id: string;
  name: string;
  characteristics: Record<string, unknown>;
}

/** The music catalogue, so generator steps can check names without this package loading the engine. */
export interface MusicCatalog {
  /** Canonical genre for a name or alias, or undefined. */
  genre(name: string): string | undefined;
  readonly genres: readonly string[];
  mood(name: string): string | undefined;
  readonly moods: readonly string[];
  /** Canonical platform and its longest accepted piece, or undefined. */
  platform(name: string): { name: string; maxDurationSeconds: number } | undefined;
  readonly platforms: readonly string[];
  /** Throws a StepRejection naming what is wrong with a musical key such as "A minor". */
  checkKey(key: string): void;
  /** Throws a StepRejection listing the effects when the description names none. */
  checkSfx(description: string): void;
}

/**
 * What submit-time checks may look up. The API implements it over the model registry, the voice library and
 * the translation engines; the step modules stay free of I/O, so workflows can import them.
 */
export interface StepContext {
  userId: string;
  /** The installed model id that serves `need`; throws UNKNOWN_MODEL or UNSUPPORTED_LANGUAGE. */
  resolveModel(need: ModelNeed): string;
  /** Throws UNKNOWN_VOICE (400, listing them) unless `voiceId` is one of the TTS model's own voices. */
  requireTtsVoice(modelId: string, voiceId: string): void;
  /** A voice this user may use; throws VOICE_NOT_FOUND (404). */
  resolveVoice(voiceId: string): Promise<UsableVoice>;
  /** Throws UNSUPPORTED_LANGUAGE_PAIR unless `source` → `target` translates (the same language always does). */
  requireTranslation(source: string, target: string): Promise<void>;
  /** Throws UNSUPPORTED_ACCENT unless the accent maps to an installed voice. */
  requireAccent(accent: string): void;
  music: MusicCatalog;
}

/** Where a step's material comes from: the running audio, the job's text, or nothing (it makes audio). */
export type StepInput = 'audio' | 'text' | 'none';

/** What is known about the job's input once the upload is probed. */
export interface InputFacts {
  durationMs: number;
}

/**
 * Everything about one step type, declared once: its schema (the single source of its TypeScript type, its
 * defaults and its OpenAPI schema) and its submit-time checks; its share of the progress is in STEP_WEIGHTS (./chain).
 */
export interface StepDefinition<
  Op extends string,
  Schema extends z.ZodType<{ op: Op }>,
  Prepared extends z.output<Schema> = z.output<Schema>,
> {
  op: Op;
  /** One line for docs and the job builder. */
  summary: string;
  schema: Schema;
  input: StepInput;
  /** Checks against what is installed and fills in what the worker needs (resolved models, voice data). */
  prepare?(step: z.output<Schema>, context: StepContext): Promise<Prepared> | Prepared;
  /** Checks that need the probed input (a cut inside the recording). */
  checkInput?(step: z.output<Schema>, input: InputFacts): void;
  /** For steps that make audio (TTS, generators): the expected output length, for the credit hold. */
  estimateOutputMs?(step: z.output<Schema>, source: { text?: string }): number;
}

/** Declares a step type; the identity function exists so each module's literal types are kept. */
export function defineStep<
  Op extends string,
  Schema extends z.ZodType<{ op: Op }>,
  Prepared extends z.output<Schema> = z.output<Schema>,
>(definition: StepDefinition<Op, Schema, Prepared>): StepDefinition<Op, Schema, Prepared> {
  return definition;
}
