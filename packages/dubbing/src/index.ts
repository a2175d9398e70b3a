export {
  DubbingError,
  TranslationEngineError,
  UnsupportedAccentError,
  UnsupportedLanguagePairError,
  type DubbingErrorCode,
  type TranslationPair,
} from './errors';
export { apertiumCodeToBcp47, baseLanguage } from './languages';
export {
  APERTIUM_APT_PACKAGES,
  DEFAULT_APERTIUM_MODES_DIR,
  listTranslationPairs,
  runApertium,
  type ApertiumOptions,
  type RunApertiumOptions,
} from './apertium';
export {
  resolveTranslationPair,
  translate,
  type SegmentsTranslation,
  type TextTranslation,
  type TimedText,
  type TranslateSegmentsRequest,
  type TranslateTextRequest,
  type TranslatedSegment,
  type TranslationEngineInfo,
} from './translate';
export {
  assembleDub,
  backgroundGains,
  dubLayout,
  placeSegment,
  segmentOrder,
  type DubLayout,
  type PlacedSegment,
  type AssembleDubOptions,
  type DubPlacement,
  type DubResult,
  type DubSegment,
} from './assemble';
export {
  BackgroundGainFit,
  estimateBackground,
  type BackgroundEstimate,
  type EstimateBackgroundOptions,
} from './background';
export {
  ACCENTS,
  accentVoiceFor,
  listAccents,
  type AccentDefinition,
  type AccentModelId,
  type AccentVoice,
  type AccentVoiceOption,
  type AccentVoiceOptions,
} from './accent';
export { groupWordsIntoPhrases, type GroupWordsOptions, type TimedWord } from './phrases';
export {
  MIX_BLOCK,
  SpeechTrack,
  clipSafeScale,
  denoiseForBackground,
  mixRevoiced,
  scaleBlock,
  type BlockDenoiser,
  type SampleReader,
  type SampleWriter,
} from './revoice';
