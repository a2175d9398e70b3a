import { and, count, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { JobResult, JobStatus, PipelineOp } from '@voice/shared';
import type { Database } from '../client';
import { processingJobs, type NewProcessingJob, type ProcessingJob } from '../schema';

// Status writes only move a job out of pending/running, so a terminal state (completed, failed, cancelled) is
// final and a retried activity that lost a race becomes a no-op. Each returns whether it applied.
const ACTIVE_STATUSES: ProcessingJob['status'][] = ['pending', 'running'];
const isActive = (jobId: string): SQL | undefined =>
  and(eq(processingJobs.id, jobId), inArray(processingJobs.status, ACTIVE_STATUSES));

/** Page request: `offset` for numbered pages, or `cursor` (a previous page's `nextCursor`) for stable scrolling. */
export interface ListJobsOptions {
  limit: number;
  offset?: number;
  /** A job id (uuid) of this user; cannot be combined with a non-zero offset. */
  cursor?: string;
  /** Only jobs in this status. */
  status?: JobStatus;
  /** Only jobs with this step: `denoise` matches a `denoise` job and a `denoise+dub` chain alike. */
  step?: PipelineOp;
}

export interface JobPage {
  items: ProcessingJob[];
  /** All of the user's jobs that pass the filters, regardless of the page. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Inserts a job. Retrying with the same id returns the stored job unchanged. */
export async function createJob(db: Database, job: NewProcessingJob): Promise<ProcessingJob> {
  await db.insert(processingJobs).values(job).onConflictDoNothing({ target: processingJobs.id });
  const stored = await getJobById(db, job.id);
  if (!stored) throw new Error(`Job ${job.id} could not be created`);
  return stored;
}

export async function getJobById(db: Database, jobId: string): Promise<ProcessingJob | undefined> {
  const [job] = await db.select().from(processingJobs).where(eq(processingJobs.id, jobId));
  return job;
}

/** The job if it belongs to the user; undefined otherwise, so callers cannot tell "not yours" from "missing". */
export async function getJobForUser(db: Database, jobId: string, userId: string): Promise<ProcessingJob | undefined> {
  const [job] = await db
    .select()
    .from(processingJobs)
    .where(and(eq(processingJobs.id, jobId), eq(processingJobs.userId, userId)));
  return job;
}

/** The user's jobs, newest first (ties broken by id so pages never overlap). */
export async function listJobsForUser(db: Database, userId: string, options: ListJobsOptions): Promise<JobPage> {
  const { limit } = options;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  if (options.cursor !== undefined && offset > 0) throw new RangeError('pass either cursor or offset, not both');

  const filtered = and(
    eq(processingJobs.userId, userId),
    options.status === undefined ? undefined : eq(processingJobs.status, options.status),
    // job_type is the ops joined by '+' (jobTypeFor): delimiting both sides matches whole ops only, so `tts`
    // never matches a longer op that starts with it. position(), not LIKE, because ops contain `_`.
    options.step === undefined
      ? undefined
      : sql`position(${`+${options.step}+`} in '+' || ${processingJobs.jobType} || '+') > 0`,
  );
  // Keyset comparison against the cursor row in SQL: JS Dates would truncate created_at's microseconds.
  const where =
    options.cursor === undefined
      ? filtered
      : and(
          filtered,
          sql`(${processingJobs.createdAt}, ${processingJobs.id}) < (select c.created_at, c.id from ${processingJobs} c where c.id = ${options.cursor} and c.user_id = ${userId})`,
        );

  // One extra row tells whether another page exists.
  const rows = await db
    .select()
    .from(processingJobs)
    .where(where)
    .orderBy(desc(processingJobs.createdAt), desc(processingJobs.id))
    .limit(limit + 1)
    .offset(offset);
  const [totalRow] = await db.select({ total: count() }).from(processingJobs).where(filtered);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, total: totalRow?.total ?? 0, nextCursor: rows.length > limit && last ? last.id : null };
}

/** pending → running; keeps the first start time when retried. */
export async function markJobRunning(db: Database, jobId: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(processingJobs)
    .set({
      status: 'running',
      startedAt: sql`coalesce(${processingJobs.startedAt}, ${at.toISOString()}::timestamptz)`,
      updatedAt: sql`now()`,
    })
    .where(isActive(jobId))
    .returning({ id: processingJobs.id });
  return rows.length > 0;
}

/** Raises progress (0–100); never lowers it and never touches a terminal job. */
export async function updateJobProgress(db: Database, jobId: string, progress: number): Promise<boolean> {
  if (!Number.isFinite(progress)) throw new RangeError(`progress must be finite, got ${progress}`);
  const clamped = Math.min(100, Math.max(0, Math.round(progress)));
  const rows = await db
    .update(processingJobs)
    .set({ progress: clamped, updatedAt: sql`now()` })
    .where(and(isActive(jobId), lt(processingJobs.progress, clamped)))
    .returning({ id: processingJobs.id });
  return rows.length > 0;
}

/** Stores what preprocessing measured about the upload. */
export async function recordJobInput(
  db: Database,
  jobId: string,
  input: { inputDurationMs: number; inputFormat: string },
): Promise<boolean> {
  const rows = await db
    .update(processingJobs)
    .set({ inputDurationMs: input.inputDurationMs, inputFormat: input.inputFormat, updatedAt: sql`now()` })
    .where(eq(processingJobs.id, jobId))
    .returning({ id: processingJobs.id });
  return rows.length > 0;
}

/** Terminal: records the deliverable. False if the job had already finished (or does not exist). */
export async function markJobCompleted(
  db: Database,
  jobId: string,
  output: { outputKey: string; outputDurationMs: number; result: JobResult; at: Date },
): Promise<boolean> {
  const rows = await db
    .update(processingJobs)
    .set({
      status: 'completed',
      progress: 100,
      outputKey: output.outputKey,
      outputDurationMs: output.outputDurationMs,
      result: output.result,
      completedAt: output.at,
      updatedAt: sql`now()`,
    })
    .where(isActive(jobId))
    .returning({ id: processingJobs.id });
  return rows.length > 0;
}

/** Terminal: records why the job failed. False if it had already finished. */
export async function markJobFailed(db: Database, jobId: string, error: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(processingJobs)
    .set({ status: 'failed', error, completedAt: at, updatedAt: sql`now()` })
    .where(isActive(jobId))
    .returning({ id: processingJobs.id });
  return rows.length > 0;
}

/** Terminal: the user cancelled. False if the job had already finished. */
export async function markJobCancelled(db: Database, jobId: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(processingJobs)
    .set({ status: 'cancelled', completedAt: at, updatedAt: sql`now()` })
    .where(isActive(jobId))
    .returning({ id: processingJobs.id });
  return rows.length > 0;
}
