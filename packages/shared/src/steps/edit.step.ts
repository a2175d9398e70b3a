import { z } from 'zod/v4';
import { seconds } from './fields';
import { StepRejection, defineStep } from './step-definition';

export const editOperationSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('remove_blooper'), start_time: seconds, end_time: seconds })
    .strict()
    .refine((operation) => operation.end_time > operation.start_time, 'end_time must be after start_time'),
  z
    .object({
      type: z.literal('mute_word'),
      word: z.string().trim().min(1).max(100),
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
  weight: 0.3,
  // A cut that ends past the end of the recording can never be right; say so before any work is done.
  checkInput: (step, input) => {
    const length = input.durationMs / 1000;
    for (const operation of step.operations) {
      if (operation.type === 'remove_blooper' && operation.end_time > length + 0.001) {
        throw new StepRejection(
          'CUT_OUTSIDE_AUDIO',
          `remove_blooper ${operation.start_time}–${operation.end_time} s ends after the recording (${length.toFixed(2)} s)`,
        );
      }
    }
  },
});
export type EditStep = z.output<typeof editStep.schema>;
