export { pipelineProgressQuery } from '@voice/shared/workflow';
