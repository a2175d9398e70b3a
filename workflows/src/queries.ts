import { defineQuery } from '@temporalio/workflow';
import { PIPELINE_PROGRESS_QUERY, type PipelineProgress } from '@voice/shared';

/** Per-step progress of a running pipeline; the API merges in live heartbeat detail. */
export const pipelineProgressQuery = defineQuery<PipelineProgress>(PIPELINE_PROGRESS_QUERY);
