import { useParams } from 'react-router';

import { JobView } from './job/job-view';

/** /jobs/:jobId: one job, live while it runs. */
export function JobPage() {
  const { jobId = '' } = useParams();
  // A new id is a new page: nothing (a dialog, a highlighted word) carries over from the previous job.
  return <JobView key={jobId} jobId={jobId} />;
}
