/**
 * Contracts shared by the API, the workers and the workflows.
 * Everything here must stay deterministic and free of Node built-ins: workflows import it.
 */
export * from './task-queues';
export * from './search-attributes';
export * from './jobs';
export * from './steps';
export * from './job-result';
export * from './pipeline-contract';
export * from './credits';
export * from './errors';
export * from './storage-keys';
export * from './speakable-text';
export * from './tiers';
export * from './payments';
export * from './webhooks';
export * from './retention';
export * from './log-context';
