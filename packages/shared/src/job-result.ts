import type { StepProgress } from './jobs';
import type { EditOperation } from './steps';

/** A transcript's artifacts (JSON with word timings, SRT, VTT) and what is known about it. */
export interface TranscriptArtifacts {
  transcriptKey: string;
  srtKey: string;
  vttKey: string;
  modelId: string;
  language: string;
  wordCount: number;
  /** First characters of the text, for the job listing; the full transcript is in the artifact. */
  preview: string;
}

/** What preprocessing measured on the upload. */
export interface InputReport {
  workKey: string;
  durationMs: number;
  sampleRate: number;
  container: string;
  originalSampleRate: number;
  channels: number;
  integratedLufs: number | null;
  peakDbfs: number | null;
  truePeakDbtp: number | null;
}

/**
 * BS.1770 loudness of an intermediate audio file, measured by the step that wrote it (as it wrote it), so the next
 * step can skip a measuring pass. Both values finite; absent when not measured or not finite (silence).
 */
export interface MeasuredLoudness {
  integratedLufs: number;
  truePeakDbtp: number;
}

/** The TTS gate: the delivered speech transcribed back and compared with the text. */
export interface IntelligibilityReport {
  wordErrorRate: number;
  recognizer: string;
  heard: string;
}

/** What the quality gate measured on the deliverable itself. */
export interface QualityReport {
  outputKey: string;
  durationMs: number;
  integratedLufs: number;
  truePeakDbtp: number;
  peakDbfs: number;
  targetLufs: number | null;
  intelligibility?: IntelligibilityReport;
}

export interface EditRecord {
  type: EditOperation['type'];
  detail: string;
}

export interface VoiceConversionRecord {
  method: string;
  applied: Record<string, unknown>;
  /** The target voice's name. */
  target: string;
}

/** A dub or accent change: what was heard, and what was said instead. */
export interface RevoicedRecord {
  op: 'dub' | 'accent_change';
  source: TranscriptArtifacts;
  outputKey: string;
  /** Transcript of the new speech (translated text for a dub), with the source timing. */
  scriptKey: string;
  language: string;
  lines: number;
  preview: string;
  methods: { translation?: string; speech: string; background: string };
}

/**
 * A completed job's record, written by the workflow into `processing_jobs.result`. It holds storage keys, so
 * clients see it only through the API's public mapper.
 */
export interface JobResult {
  models: Array<{ op: StepProgress['op']; model: string }>;
  input: InputReport | { source: 'text' | 'none' };
  /** The quality gate's measurements, or the word count of a transcript-only job. */
  output: QualityReport | { words: number };
  transcript?: TranscriptArtifacts;
  edits?: EditRecord[];
  voiceConversion?: VoiceConversionRecord[];
  revoiced?: RevoicedRecord[];
  steps: StepProgress[];
}
