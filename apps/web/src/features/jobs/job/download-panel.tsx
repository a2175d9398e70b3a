import { useState } from 'react';

import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { formatCredits } from '../../../lib/format';
import { useCredits } from '../../account/use-credits';
import { ConfirmDialog } from './confirm-dialog';
import { type DownloadLinks, type JobStatusView, useDownload } from './job-queries';
import { sameOriginStorageLink } from '../../../lib/storage-link';

/**
 * What the first download will charge: the output's length in whole seconds, rounded up (1 credit = 1 second,
 * prorated by the second: the API's creditsForDurationMs). Once charged, the API's own figure.
 */
export function downloadCost(job: Pick<JobStatusView, 'outputDurationMs' | 'creditsCharged'>): number {
  if (job.creditsCharged !== null) return job.creditsCharged;
  return job.outputDurationMs === null ? 0 : Math.ceil(job.outputDurationMs / 1000);
}

/** Hands the signed link to the browser's download manager; the API names the file (Content-Disposition). */
function saveFile(url: string): void {
  const anchor = document.createElement('a');
  // Same-origin, so `download` holds and no navigation happens (a cross-origin link would navigate).
  anchor.href = sameOriginStorageLink(url);
  anchor.download = '';
  anchor.rel = 'noopener';
  anchor.click();
}

/**
 * The paid download. The first one is confirmed with its cost in a dialog and charged once; after that the
 * button says it is paid and downloads again for nothing (the API keys the charge by job).
 */
export function DownloadPanel({ job, links }: { job: JobStatusView; links: DownloadLinks | undefined }) {
  const [confirming, setConfirming] = useState(false);
  const download = useDownload(job.jobId);
  const credits = useCredits();
  const paid = job.creditsCharged !== null || links !== undefined;
  const cost = downloadCost(job);

  const run = () =>
    download.mutate(undefined, {
      onSuccess: (answer) => {
        setConfirming(false);
        saveFile(answer.url);
      },
    });

  return (
    <section aria-labelledby="download-heading" className="flex flex-col gap-3">
      <h2 id="download-heading" className="text-lg font-semibold">
        Download
      </h2>
      {paid ? null : (
        <p className="text-sm text-slate-700">
          The result is ready. Listening to it and reading its text come with the download, which is charged once.
        </p>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <Button
          onClick={() => (paid ? run() : setConfirming(true))}
          disabled={download.isPending && !confirming}
          aria-busy={download.isPending || undefined}
        >
          {paid ? 'Download again (already paid)' : `Download (costs ${formatCredits(cost)} of credit)`}
        </Button>
        {links ? (
          <a
            className="text-sm font-semibold text-indigo-700 underline"
            href={sameOriginStorageLink(links.url)}
            download
          >
            Save the file
          </a>
        ) : null}
      </div>
      <div aria-live="polite" className="text-sm">
        {download.data && !download.data.alreadyCharged ? (
          <p className="text-green-800">
            Charged {formatCredits(download.data.creditsCharged)} of credit. Your download has started.
          </p>
        ) : null}
        {download.data?.alreadyCharged ? (
          <p className="text-slate-800">
            Already paid ({formatCredits(download.data.creditsCharged)}): this download cost nothing more.
          </p>
        ) : null}
      </div>
      {confirming ? null : <ErrorAlert error={download.error} title="The download did not start" />}

      <ConfirmDialog
        open={confirming}
        title="Download and pay for this result?"
        confirmLabel={`Pay ${formatCredits(cost)} and download`}
        cancelLabel="Not now"
        busy={download.isPending}
        onConfirm={run}
        onCancel={() => {
          setConfirming(false);
          download.reset();
        }}
      >
        <p>
          This download costs <strong>{formatCredits(cost)}</strong> of credit, charged once. Downloading it again later
          is free.
        </p>
        {credits.data ? <p>Your balance: {formatCredits(credits.data.creditsRemaining)}.</p> : null}
        <ErrorAlert error={download.error} title="Nothing was charged" />
      </ConfirmDialog>
    </section>
  );
}
