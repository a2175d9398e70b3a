export { pipelineProgressQuery } from '@voice/shared';
