export {
  loadDenoiser,
  strengthForNoiseLevel,
  UnsupportedModelError,
  DENOISE_ENGINE_IDS,
  type Denoiser,
  type DenoiseOptions,
} from './denoiser';
export type { DenoiseStream, DenoiseStreamOptions } from './denoise-stream';
