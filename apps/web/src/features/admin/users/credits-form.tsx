import { type FormEvent, useId, useState } from 'react';

import { ApiError } from '../../../api/client';
import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { FormField } from '../../../components/form-field';
import { formatCredits } from '../../../lib/format';
import { useAdjustCredits } from '../admin-queries';
import { newIdempotencyKey } from '../idempotency-key';

type Kind = 'grant' | 'correction';

/**
 * A grant or a correction with its reason, in minutes (the API counts seconds). One Idempotency-Key per intended
 * adjustment: a double click or a retry after a lost answer grants once; changing any field makes it a new one.
 */
export function CreditsForm({ userId }: { userId: string }) {
  const id = useId();
  const adjust = useAdjustCredits(userId);
  const [kind, setKind] = useState<Kind>('grant');
  const [minutes, setMinutes] = useState('');
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string>();

  const edit = (apply: () => void) => {
    apply();
    setKey(newIdempotencyKey());
    setDone(undefined);
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = Number(minutes.replace(',', '.'));
    const amount = Math.round(value * 60);
    const found: Record<string, string> = {};
    if (!Number.isFinite(value) || amount === 0) found['amount'] = 'Enter a number of minutes other than zero.';
    else if (kind === 'grant' && amount < 0) found['amount'] = 'A grant adds credits; use a correction to remove some.';
    if (reason.trim() === '') found['reason'] = 'Say why: the reason is kept in the audit log.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    adjust.mutate(
      { kind, amount, reason: reason.trim(), idempotencyKey: key },
      {
        onSuccess: (result) => {
          const verb = kind === 'grant' ? 'Granted' : amount < 0 ? 'Removed' : 'Added';
          setDone(
            `${verb} ${formatCredits(Math.abs(amount))}${result.replayed ? ' (already applied)' : ''}. ` +
              `Balance now ${formatCredits(result.balance)}.`,
          );
          setMinutes('');
          setReason('');
          setKey(newIdempotencyKey());
        },
        onError: (error) => {
          if (error instanceof ApiError) setErrors(error.fieldErrors());
        },
      },
    );
  };

  return (
    <form aria-labelledby={`${id}-title`} className="flex flex-col gap-3" noValidate onSubmit={submit}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Grant or correct credits
      </h2>
      <fieldset className="flex flex-wrap gap-4">
        <legend className="mb-1 text-sm font-medium text-slate-800">Kind</legend>
        {(['grant', 'correction'] as const).map((option) => (
          <label key={option} className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name="kind"
              value={option}
              checked={kind === option}
              onChange={() => edit(() => setKind(option))}
            />
            {option === 'grant' ? 'Grant (adds credits)' : 'Correction (adds or removes)'}
          </label>
        ))}
      </fieldset>
      <FormField
        label="Minutes"
        name="amount"
        inputMode="decimal"
        value={minutes}
        onChange={(event) => edit(() => setMinutes(event.target.value))}
        hint={
          kind === 'correction'
            ? 'Negative removes credits (e.g. -5); the balance never goes below zero.'
            : '1 credit is 1 second of audio; 1.5 grants 1 min 30 s.'
        }
        error={errors['amount']}
      />
      <FormField
        label="Reason"
        name="reason"
        value={reason}
        onChange={(event) => edit(() => setReason(event.target.value))}
        maxLength={500}
        error={errors['reason']}
      />
      <ErrorAlert error={adjust.error} title="The credits were not changed" />
      {done ? (
        <p role="status" className="rounded-md bg-green-50 p-2 text-sm text-green-900">
          {done}
        </p>
      ) : null}
      <div>
        <Button type="submit" disabled={adjust.isPending}>
          {adjust.isPending ? 'Saving…' : kind === 'grant' ? 'Grant credits' : 'Apply correction'}
        </Button>
      </div>
    </form>
  );
}
