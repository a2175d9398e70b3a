import { useState } from 'react';

import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { formatCredits } from '../../../lib/format';
import { ConfirmDialog } from './confirm-dialog';
import { type JobStatusView, useCancelJob } from './job-queries';

/** Cancel, confirmed first; the page shows "Cancelled" once the workflow has stopped and released the hold. */
export function CancelJob({ job }: { job: JobStatusView }) {
  const [confirming, setConfirming] = useState(false);
  const cancel = useCancelJob(job.jobId);
  if (cancel.isSuccess) {
    return (
      <p role="status" className="text-sm text-slate-800">
        Cancelling… the job stops in a moment.
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-2">
      <div>
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Cancel job
        </Button>
      </div>
      {confirming ? null : <ErrorAlert error={cancel.error} title="The job was not cancelled" />}
      <ConfirmDialog
        open={confirming}
        title="Cancel this job?"
        variant="danger"
        confirmLabel="Cancel the job"
        cancelLabel="Keep it running"
        busy={cancel.isPending}
        onConfirm={() => cancel.mutate(undefined, { onSuccess: () => setConfirming(false) })}
        onCancel={() => {
          setConfirming(false);
          cancel.reset();
        }}
      >
        <p>
          The work done so far is discarded. Nothing is charged
          {job.creditsHeld > 0 ? `, and the ${formatCredits(job.creditsHeld)} of credit held for it is released` : ''}.
        </p>
        <ErrorAlert error={cancel.error} title="The job was not cancelled" />
      </ConfirmDialog>
    </div>
  );
}
