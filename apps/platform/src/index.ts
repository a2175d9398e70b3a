export { startPlatform } from './platform';
export type { PlatformOptions, RunningPlatform } from './platform';
