import { z } from 'zod/v4';
import { accentChangeStep } from './accent-change.step';
import { denoiseStep } from './denoise.step';
import { dubStep } from './dub.step';
import { editStep } from './edit.step';
import { generateMusicStep } from './generate-music.step';
import { generateSfxStep } from './generate-sfx.step';
import { moodMusicStep } from './mood-music.step';
import { normalizeStep } from './normalize.step';
import type { StepContext, StepDefinition } from './step-definition';
import { sttStep } from './stt.step';
import { ttsStep } from './tts.step';
import { voiceCloneStep } from './voice-clone.step';

/**
 * Every step type, by op. Adding one means a module here, its runner in workflows/ and its activity: the
 * request schemas, the OpenAPI document, the job builder's forms and the progress weights (in ./chain) all come from this.
 */
export const STEPS = {
  denoise: denoiseStep,
  normalize: normalizeStep,
  stt: sttStep,
  tts: ttsStep,
  edit: editStep,
  voice_clone: voiceCloneStep,
  dub: dubStep,
  accent_change: accentChangeStep,
  generate_music: generateMusicStep,
  generate_sfx: generateSfxStep,
  mood_music: moodMusicStep,
} as const;

type Steps = typeof STEPS;
export type PipelineOp = keyof Steps;
/** A step as the worker receives it: validated, defaults applied, and filled in by its `prepare`. */
export type PipelineStep = {
  [Op in PipelineOp]: Steps[Op] extends StepDefinition<Op, z.ZodType<{ op: Op }>, infer Prepared> ? Prepared : never;
}[PipelineOp];
export type StepOf<Op extends PipelineOp> = Extract<PipelineStep, { op: Op }>;
export type GeneratorStep = StepOf<'generate_music' | 'generate_sfx' | 'mood_music'>;

/** A definition seen without its literal types, for code that handles every step alike. */
type AnyStepDefinition = StepDefinition<string, z.ZodType<{ op: string }>, { op: string }>;
function definitionOf(op: PipelineOp): AnyStepDefinition {
  return STEPS[op] as unknown as AnyStepDefinition;
}

export const PIPELINE_OPS = Object.keys(STEPS) as PipelineOp[];

/** The ops that take the running audio in, so a job can chain them after an upload or a generated clip. */
export const AUDIO_OPS = PIPELINE_OPS.filter((op) => STEPS[op].input === 'audio');

/** Any step that takes audio in, as a client sends it (discriminated by `op`). */
export const audioStepSchema = z.discriminatedUnion('op', [
  denoiseStep.schema,
  normalizeStep.schema,
  editStep.schema,
  sttStep.schema,
  voiceCloneStep.schema,
  dubStep.schema,
  accentChangeStep.schema,
]);

/** The steps of a chain on one upload (POST /api/jobs) or after generated audio (`then`). */
export const audioStepsSchema = z
  .array(audioStepSchema)
  .min(1, 'must list at least one step')
  .max(10, 'at most 10 steps per job');

/** Runs each step's submit-time checks in order, returning the steps as the worker will receive them. */
export async function prepareSteps(steps: readonly PipelineStep[], context: StepContext): Promise<PipelineStep[]> {
  const prepared: PipelineStep[] = [];
  for (const step of steps) {
    const definition = definitionOf(step.op);
    prepared.push((definition.prepare ? await definition.prepare(step, context) : step) as PipelineStep);
  }
  return prepared;
}

/** Checks that need the probed upload (cuts inside the recording). */
export function checkStepsAgainstInput(steps: readonly PipelineStep[], input: { durationMs: number }): void {
  for (const step of steps) definitionOf(step.op).checkInput?.(step, input);
}

/** The credit hold for a job whose first step makes the audio (TTS, generators); undefined for uploads. */
export function estimateOutputMs(first: PipelineStep, source: { text?: string }): number | undefined {
  return definitionOf(first.op).estimateOutputMs?.(first, source);
}

/** "denoise", or "tts+voice_clone" for a chain: the job type admins filter on. */
export function jobTypeFor(steps: readonly PipelineStep[]): string {
  return steps.map((step) => step.op).join('+');
}
