/**
 * Word alignment without the rest of the speech engines (no ONNX Runtime), for CPU workers that refine word
 * times: `@voice/speech/align`.
 */
export { dictionarySpelling, pocketsphinxAlign } from './pocketsphinx';
export { SpeechEngineUnavailableError, SpeechRequestError, type TranscribedWord } from './types';
