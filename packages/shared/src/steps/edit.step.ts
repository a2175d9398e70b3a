import { z } from 'zod/v4';
import { hasSpeakableContent } from '../speakable-text';
import { seconds } from './fields';
import { StepRejection, defineStep } from './step-definition';

/** Slack for times rounded from the recording's length. */
const TIME_SLACK_SECONDS = 0.001;

export const editOperationSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('remove_blooper'), start_time: seconds, end_time: seconds })
    .strict()
    .refine((operation) => operation.end_time > operation.start_time, 'end_time must be after start_time'),
  z
    .object({
      type: z.literal('mute_word'),
      // Words are found in the transcript by their letters and digits; emoji and punctuation are never there.
      word: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .refine(hasSpeakableContent, 'must contain a letter or digit (emoji and punctuation are not in a transcript)'),
      mode: z.enum(['silence', 'bleep']).optional(),
    })
    .strict(),
  z.object({ type: z.literal('trim_silence') }).strict(),
]);
export type EditOperation = z.output<typeof editOperationSchema>;

export const editOperationsSchema = z.array(editOperationSchema).min(1, 'must list at least one operation').max(20);

export const editStep = defineStep({
  op: 'edit',
  summary: 'Cut bloopers, mute or bleep a word, trim silence (in order)',
  schema: z.object({ op: z.literal('edit'), operations: editOperationsSchema }).strict(),
  input: 'audio',
  /**
   * Cuts that can never be right are refused before any work is done: one that ends after the audio, or one that
   * takes all of it. Each operation's times refer to the audio as the previous ones left it, so the length is
   * followed through the cuts; trim_silence only shortens, so after it the length is an upper bound, which keeps
   * both checks sound.
   */
  checkInput: (step, input) => {
    let length = input.durationMs / 1000;
    for (const operation of step.operations) {
      if (operation.type !== 'remove_blooper') continue;
      const { start_time: start, end_time: end } = operation;
      if (end > length + TIME_SLACK_SECONDS) {
        throw new StepRejection(
          'CUT_OUTSIDE_AUDIO',
          `remove_blooper ${start}–${end} s ends after the recording (${length.toFixed(2)} s at that point)`,
        );
      }
      if (start <= TIME_SLACK_SECONDS && end >= length - TIME_SLACK_SECONDS) {
        throw new StepRejection(
          'CUT_REMOVES_EVERYTHING',
          `remove_blooper ${start}–${end} s covers the whole recording (${length.toFixed(2)} s at that point): nothing would be left`,
        );
      }
      length -= Math.min(end, length) - start;
    }
  },
});
export type EditStep = z.output<typeof editStep.schema>;
