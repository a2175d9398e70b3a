import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { getJobForUser, listJobsForUser, type Database, type ProcessingJob } from '@voice/db';
import type { JobStatus } from '@voice/shared';
import { conflict, notFound } from '../common/domain-error';
import { DATABASE } from '../common/tokens';
import { toProgressView, toStatusView, type JobProgressView, type JobStatusView } from './job-views';
import { PIPELINE_CLIENT, type PipelineClient } from '../common/pipeline-client';
import type { HistoryQuery } from './request-schemas';

export const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);
/** How often a long-poll re-reads the job row: the row is the one place every worker's writes meet. */
const WAIT_POLL_MS = 100;

/** Reading and cancelling jobs: status (optionally long-polled), per-step progress, history. */
@Injectable()
export class JobsService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(PIPELINE_CLIENT) private readonly pipeline: PipelineClient,
  ) {}

  /**
   * The job's status. With `waitSeconds`, a job that is not finished is held until its status changes (or the
   * wait runs out), so clients learn of completion at once without polling every second.
   */
  async getStatus(userId: string, jobId: string, waitSeconds = 0): Promise<JobStatusView> {
    let job = await this.requireJob(userId, jobId);
    if (waitSeconds > 0 && !TERMINAL.has(job.status)) job = await this.waitForChange(job, waitSeconds * 1000);
    const live = TERMINAL.has(job.status) ? undefined : await this.pipeline.progress(job.id);
    return toStatusView(job, live?.progress);
  }

  private async waitForChange(initial: ProcessingJob, waitMs: number): Promise<ProcessingJob> {
    const deadline = Date.now() + waitMs;
    let job = initial;
    while (Date.now() < deadline) {
      await sleep(Math.min(WAIT_POLL_MS, Math.max(0, deadline - Date.now())));
      const current = await getJobForUser(this.db, initial.id, initial.userId);
      if (!current) break;
      job = current;
      if (current.status !== initial.status) break;
    }
    return job;
  }

  async getProgress(userId: string, jobId: string): Promise<JobProgressView> {
    const job = await this.requireJob(userId, jobId);
    const live = TERMINAL.has(job.status) ? undefined : await this.pipeline.progress(job.id);
    return toProgressView(job, live);
  }

  async cancel(userId: string, jobId: string): Promise<{ jobId: string; status: 'cancelling' }> {
    const job = await this.requireJob(userId, jobId);
    if (TERMINAL.has(job.status)) {
      throw conflict('JOB_ALREADY_FINISHED', `Job ${jobId} is already ${job.status}`);
    }
    await this.pipeline.cancel(job.id);
    return { jobId, status: 'cancelling' };
  }

  async history(userId: string, { limit, offset, status, type }: HistoryQuery) {
    const page = await listJobsForUser(this.db, userId, { limit, offset, status, step: type });
    return { items: page.items.map((job) => toStatusView(job)), total: page.total, limit, offset };
  }

  /** The job if it is this user's; anyone else's is a 404, like a missing one. */
  async requireJob(userId: string, jobId: string): Promise<ProcessingJob> {
    const job = await getJobForUser(this.db, jobId, userId);
    // Someone else's job is indistinguishable from a missing one.
    if (!job) throw notFound('JOB_NOT_FOUND', `Job ${jobId} not found`);
    return job;
  }
}
