export { startTestPlatform, testInfra, type TestPlatform } from './platform-harness';
export { ApiClient, waitForInference } from './api-client';
export { makeNoisySpeech, type NoisySpeech } from './fixtures';
export { GpuWorkerProcesses } from './gpu-worker-processes';
export {
  ARTIFACTS_DIR,
  CHROMIUM_PATH,
  DESKTOP_VIEWPORT,
  PHONE_VIEWPORT,
  chromiumAvailable,
  describeViolations,
  launchChromium,
  openPage,
  saveScreenshot,
  seriousAxeViolations,
  verifyEmailFromMail,
} from './browser';
export { WorkerProcesses, type WorkerExit, type WorkerKind } from './worker-processes';
export { freshGet, readSseFrames, slowUpload, type RawReply } from './http-probes';
