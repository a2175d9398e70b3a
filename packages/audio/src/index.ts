export { AudioValidationError, FfmpegError, type AudioValidationReason } from './errors';
export { sniffAudioContainer, type AudioContainer } from './sniff';
export {
  MAX_INPUT_CHANNELS,
  decodeToMonoFloat,
  decodeToWavFile,
  ffmpegBinary,
  probeAudioFile,
  type AudioProbe,
  type FfmpegOptions,
} from './ffmpeg';
export { decodeWav, encodeWav, type DecodedWav, type WavSampleFormat } from './wav';
export { resample } from './resample';
export { integratedLoudness } from './loudness';
export { samplePeakDbfs, truePeakDbtp } from './peak';
export { normalizeLoudness, type LoudnessTarget, type NormalizeResult } from './dynamics';
export { analyzeAudio, type AudioAnalysis } from './analysis';
export { decodeStream, type DecodeStreamOptions } from './stream/decode-stream';
export {
  WavFileReader,
  WavStreamWriter,
  arraySampleSource,
  pcm16Quantized,
  readWavInfo,
  readWavStream,
  type SampleSource,
  type WavStreamInfo,
} from './stream/wav-stream';
export { AudioMeter } from './stream/audio-meter';
export { LoudnessNormalizerStream, type LoudnessMeasurement } from './stream/loudness-normalizer-stream';
export { planLoudnessGain, type LoudnessGainPlan } from './stream/loudness-plan';
export { qualityProblems, type MeasuredAudio } from './quality';
