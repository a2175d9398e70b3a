export {
  loadDenoiser,
  strengthForNoiseLevel,
  UnsupportedModelError,
  type Denoiser,
  type DenoiseOptions,
} from './denoiser';
