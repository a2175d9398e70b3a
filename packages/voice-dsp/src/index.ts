export { VoiceDspError, type VoiceDspErrorCode } from './errors';
export { composeTimeMaps, identityTimeMap, remapTime, type TimeMap, type TimeMapSegment } from './time-map';
export {
  applyEdits,
  muteRanges,
  removeRange,
  spliceSegments,
  trimSilence,
  type EditOperation,
  type EditResult,
  type MuteMode,
  type MuteOptions,
  type RemoveRangeOptions,
  type TimeRange,
  type TrimSilenceOptions,
} from './edit';
export {
  findWordRanges,
  normalizeWord,
  type FindWordRangesOptions,
  type TimedWord,
  type WordRange,
} from './word-ranges';
export {
  ANALYSIS_RATE,
  analyzeVoice,
  bandCentersHz,
  voiceDistance,
  voiceDistanceDetail,
  type VoiceCharacteristics,
  type VoiceDistanceDetail,
} from './voice-characteristics';
export {
  VOICE_CONVERSION_METHOD,
  convertVoiceToward,
  matchTimbre,
  pitchShift,
  timeStretch,
  type ConvertVoiceOptions,
  type ConvertVoiceResult,
  type MatchTimbreOptions,
  type MatchTimbreResult,
} from './voice-convert';
