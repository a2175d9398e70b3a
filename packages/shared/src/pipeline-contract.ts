import { defineQuery } from '@temporalio/workflow';
import type { PipelineInput, PipelineProgress, PipelineResult } from './jobs';

/** Workflow type name of the pipeline; the API starts it by this name, typed by {@link PipelineWorkflow}. */
export const PIPELINE_WORKFLOW_TYPE = 'pipelineWorkflow';

/** The pipeline's signature, so the client starts it with checked arguments without importing workflow code. */
export type PipelineWorkflow = (input: PipelineInput) => Promise<PipelineResult>;

/** Per-step progress of a running pipeline; the API merges in live heartbeat detail. */
export const pipelineProgressQuery = defineQuery<PipelineProgress>('pipelineProgress');
