import type { PipelineProgress } from '@voice/shared';
import type { PipelineClient, PipelineStart } from '../../src/common/pipeline-client';

/** Stands in for Temporal: records what would have been started (once per job), so a test can tell a refused submit. */
export class FakePipelineClient implements PipelineClient {
  started: PipelineStart[] = [];
  cancelled: string[] = [];
  /** Thrown by the next start, as an unreachable Temporal would. */
  failNextStart: Error | undefined;

  async start(input: PipelineStart): Promise<void> {
    const failure = this.failNextStart;
    this.failNextStart = undefined;
    if (failure) throw failure;
    // As in Temporal, where the workflow id is the job's: starting a job twice runs it once.
    if (!this.started.some((start) => start.jobId === input.jobId)) this.started.push(input);
  }
  async cancel(jobId: string): Promise<void> {
    this.cancelled.push(jobId);
  }
  async progress(): Promise<PipelineProgress | undefined> {
    return undefined;
  }
}
