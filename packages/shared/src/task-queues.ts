/** Workflows and bookkeeping activities (job rows, credits) run here. */
export const CPU_TASK_QUEUE_DEFAULT = 'voice-cpu';
/** Inference activities only; served by apps/gpu-worker with concurrency sized to the device. */
export const GPU_TASK_QUEUE_DEFAULT = 'voice-gpu';
/** CPU-heavy media activities (decode, loudness, quality, edits): storage and ffmpeg only, never the database. */
export const MEDIA_TASK_QUEUE_DEFAULT = 'voice-media';

/** The workflow id carries the job id so a retried submit can never start a duplicate run. */
export function workflowIdForJob(jobId: string): string {
  return `job-${jobId}`;
}
