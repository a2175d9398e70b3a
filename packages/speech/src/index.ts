export {
  SpeechEngines,
  MAX_TTS_CHARS,
  type SpeechEnginesOptions,
  type TranscribeOptions,
  type AudioStream16k,
  type SynthesizeRequest,
  type SynthesisResult,
  type SentenceListener,
} from './speech-engines';
export {
  SpeechEngineUnavailableError,
  SpeechRequestError,
  type MonoAudio,
  type RunControl,
  type TranscribedWord,
  type TranscriptSegment,
  type TranscriptionResult,
} from './types';
export { toSrt, toVtt } from './subtitles';
export {
  characterErrorRate,
  judgeIntelligibility,
  MAX_TTS_CHARACTER_ERROR_RATE,
  MAX_TTS_WORD_ERROR_RATE,
  normalizeWords,
  wordErrorRate,
} from './wer';
export { splitSentences } from './text-split';
export { timeStretch, pitchShift } from './dsp';
export { DEFAULT_CHUNKER, type ChunkerOptions, type SpeechChunk } from './chunker';
export { FLITE_VOICES, type FliteVoiceId } from './flite';
