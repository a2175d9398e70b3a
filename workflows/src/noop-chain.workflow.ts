import { proxyActivities } from '@temporalio/workflow';
import type { BookkeepingActivities } from '@voice/activities';

const { noop } = proxyActivities<Pick<BookkeepingActivities, 'noop'>>({ startToCloseTimeout: '10 seconds' });

/** A bare chain of no-op activities: the benchmark's baseline for Temporal's own overhead. */
export async function noopChainWorkflow(activityCount: number): Promise<number> {
  for (let index = 0; index < activityCount; index += 1) await noop();
  return activityCount;
}
