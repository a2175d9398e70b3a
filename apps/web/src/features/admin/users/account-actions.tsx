import { type FormEvent, useId, useState } from 'react';

import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { FormField } from '../../../components/form-field';
import { TIER_LABELS, TIERS } from '../admin-labels';
import { type AdminUser, type SubscriptionTier, useSetTier, useSuspendUser, useUnsuspendUser } from '../admin-queries';

/** The plan: premium jobs run ahead of free ones when the GPU queue is busy. */
export function TierForm({ user }: { user: AdminUser }) {
  const id = useId();
  const setTier = useSetTier(user.id);
  const [tier, setTierValue] = useState<SubscriptionTier>(user.tier);
  const [reason, setReason] = useState('');

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setTier.mutate({ tier, reason: reason.trim() }, { onSuccess: () => setReason('') });
  };

  return (
    <form aria-labelledby={`${id}-title`} className="flex flex-col gap-3" onSubmit={submit}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Tier
      </h2>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-tier`} className="text-sm font-medium text-slate-800">
          Subscription tier
        </label>
        <select
          id={`${id}-tier`}
          value={tier}
          aria-describedby={`${id}-tier-hint`}
          onChange={(event) => setTierValue(event.target.value as SubscriptionTier)}
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-base"
        >
          {TIERS.map((option) => (
            <option key={option} value={option}>
              {TIER_LABELS[option]}
            </option>
          ))}
        </select>
        <p id={`${id}-tier-hint`} className="text-xs text-slate-600">
          Premium jobs get a higher priority on the GPU queue, from their next job on.
        </p>
      </div>
      <FormField
        label="Reason (optional)"
        name="tier-reason"
        value={reason}
        maxLength={500}
        onChange={(event) => setReason(event.target.value)}
      />
      <ErrorAlert error={setTier.error} title="The tier was not changed" />
      <div>
        <Button type="submit" variant="secondary" disabled={setTier.isPending || tier === user.tier}>
          {setTier.isPending ? 'Saving…' : 'Change tier'}
        </Button>
      </div>
    </form>
  );
}

/**
 * Suspend (with a reason) or lift a suspension. Suspending signs the user out everywhere at once: the API revokes
 * their sessions and refuses their tokens from the next request.
 */
export function SuspensionForm({ user, isSelf }: { user: AdminUser; isSelf: boolean }) {
  const id = useId();
  const suspend = useSuspendUser(user.id);
  const unsuspend = useUnsuspendUser(user.id);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const action = user.suspended ? unsuspend : suspend;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!user.suspended && reason.trim() === '') {
      setError('Say why the account is suspended: the reason is kept in the audit log.');
      return;
    }
    setError(undefined);
    action.mutate(reason.trim(), { onSuccess: () => setReason('') });
  };

  return (
    <form aria-labelledby={`${id}-title`} className="flex flex-col gap-3" noValidate onSubmit={submit}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {user.suspended ? 'Suspended account' : 'Suspend account'}
      </h2>
      <p className="text-sm text-slate-700">
        {user.suspended
          ? 'This user cannot sign in, and their sessions were ended. Lifting the suspension lets them sign in again.'
          : 'The user is signed out everywhere at once and cannot sign in until the suspension is lifted. Running jobs finish.'}
      </p>
      {isSelf ? (
        <p className="text-sm text-slate-700">You cannot suspend your own account.</p>
      ) : (
        <>
          <FormField
            label={user.suspended ? 'Reason (optional)' : 'Reason'}
            name="suspension-reason"
            value={reason}
            maxLength={500}
            onChange={(event) => setReason(event.target.value)}
            error={error}
          />
          <ErrorAlert error={action.error} title="Nothing was changed" />
          <div>
            <Button type="submit" variant={user.suspended ? 'secondary' : 'danger'} disabled={action.isPending}>
              {action.isPending ? 'Saving…' : user.suspended ? 'Lift suspension' : 'Suspend account'}
            </Button>
          </div>
        </>
      )}
    </form>
  );
}
