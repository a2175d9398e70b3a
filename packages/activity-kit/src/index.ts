export { ProgressHeartbeat, lastCheckpoint, withHeartbeats, type ProgressHeartbeatOptions } from './heartbeat';
export { jobScratchRoot, sweepScratch, useScratchTmpdir, withScratchDir, type SweepOptions } from './scratch';
export { failureRule, permanentFailure, toFailure, withFailureRules, type FailureRule } from './failures';
