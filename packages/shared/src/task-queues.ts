/** Workflows and CPU activities (preprocess, quality, credits) run here. */
export const CPU_TASK_QUEUE_DEFAULT = 'voice-cpu';
/** Inference activities only; served by apps/gpu-worker with concurrency sized to the device. */
export const GPU_TASK_QUEUE_DEFAULT = 'voice-gpu';

/** The workflow id carries the job id so a retried submit can never start a duplicate run. */
export function workflowIdForJob(jobId: string): string {
  return `job-${jobId}`;
}
