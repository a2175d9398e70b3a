import { deflateRawSync } from 'node:zlib';

/** The transcript JSON an STT step stores (TranscriptionResult of @voice/speech), as far as /v1 reads it. */
export interface StoredTranscript {
  text: string;
  language: string;
  words: Array<{ word: string; start: number; end: number; confidence?: number }>;
  segments: Array<{ start: number; end: number; text: string }>;
  durationSeconds: number;
}

export interface VerboseSegment {
  id: number;
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
}

export interface VerboseTranscription {
  task: 'transcribe' | 'translate';
  language: string;
  duration: number;
  text: string;
  segments: VerboseSegment[];
  words?: Array<{ word: string; start: number; end: number }>;
}

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });

/** OpenAI names the language in English words, lower case ("english"), where we store the code. */
export function languageName(code: string): string {
  try {
    return (LANGUAGE_NAMES.of(code) ?? code).toLowerCase();
  } catch {
    return code;
  }
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** Whisper's measure of repetitive output: text bytes over their deflated size (high means looping text). */
function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length === 0 ? 0 : round(bytes.length / deflateRawSync(bytes).length);
}

/**
 * OpenAI's verbose_json from a stored transcript. What the recogniser does not report is derived honestly: the
 * average log-probability from the segment's word confidences, `seek` from its start (in 10 ms frames, as Whisper
 * counts); token ids are not kept (empty) and neither is the no-speech probability (segments Whisper judged as
 * silence were already dropped, so 0).
 */
export function toVerboseJson(
  transcript: StoredTranscript,
  options: { task: 'transcribe' | 'translate'; temperature: number; words: boolean },
): VerboseTranscription {
  const segments = transcript.segments.map((segment, id): VerboseSegment => {
    const inside = transcript.words.filter((word) => {
      const middle = (word.start + word.end) / 2;
      return middle >= segment.start && middle <= segment.end && word.confidence !== undefined;
    });
    const logprobs = inside.map((word) => Math.log(Math.max(word.confidence ?? 1, 1e-6)));
    return {
      id,
      seek: Math.round(segment.start * 100),
      start: round(segment.start),
      end: round(segment.end),
      text: segment.text,
      tokens: [],
      temperature: options.temperature,
      avg_logprob: logprobs.length === 0 ? 0 : round(logprobs.reduce((a, b) => a + b, 0) / logprobs.length, 4),
      compression_ratio: compressionRatio(segment.text),
      no_speech_prob: 0,
    };
  });
  return {
    task: options.task,
    language: languageName(transcript.language),
    duration: round(transcript.durationSeconds, 2),
    text: transcript.text,
    segments,
    ...(options.words
      ? {
          words: transcript.words.map((word) => ({
            word: word.word.trim(),
            start: round(word.start),
            end: round(word.end),
          })),
        }
      : {}),
  };
}
