export { AudioValidationError, FfmpegError, type AudioValidationReason } from './errors';
export { sniffAudioContainer, type AudioContainer } from './sniff';
export { decodeToMonoFloat, decodeToWavFile, probeAudioFile, type AudioProbe, type FfmpegOptions } from './ffmpeg';
export { decodeWav, encodeWav, type DecodedWav, type WavSampleFormat } from './wav';
export { resample } from './resample';
export { integratedLoudness } from './loudness';
export { samplePeakDbfs, truePeakDbtp } from './peak';
export { normalizeLoudness, type LoudnessTarget, type NormalizeResult } from './dynamics';
export { analyzeAudio, type AudioAnalysis } from './analysis';
