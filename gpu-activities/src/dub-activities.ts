import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { decodeWav, encodeWav, resample } from '@voice/audio';
import {
  DubbingError,
  TranslationEngineError,
  accentVoiceFor,
  assembleDubYielding,
  estimateBackground,
  groupWordsIntoPhrases,
  translate,
} from '@voice/dubbing';
import { getModel, isInstalled, selectModel, type ModelLocation } from '@voice/models';
import {
  FailureTypes,
  jobStorageKeys,
  type AccentChangeStep,
  type DubStep,
  type InferenceHeartbeat,
} from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { loadDenoiser } from './engines';
import { SpeechRequestError, type SpeechEngines, type TranscriptionResult } from './speech';

interface TimedLine {
  start: number;
  end: number;
  text: string;
}

/** What every re-voiced job records about how it was made. */
export interface RevoicedResult {
  outputKey: string;
  /** Transcript of the new speech (translated text for a dub), with the source timing. */
  scriptKey: string;
  language: string;
  lines: number;
  preview: string;
  methods: { translation?: string; speech: string; background: string };
}

function asFailure(error: unknown): unknown {
  if (error instanceof DubbingError || error instanceof SpeechRequestError) {
    return ApplicationFailure.nonRetryable(error.message, FailureTypes.InvalidRequest);
  }
  if (error instanceof TranslationEngineError && error.reason === 'missing') {
    return ApplicationFailure.nonRetryable(error.message, 'ModelUnavailable');
  }
  return error;
}

/**
 * Dubbing and accent change: the source speech is re-voiced line by line in its original time slots, over an
 * estimate of the original background (the input minus its denoised speech, so ambience and music survive).
 */
export function createDubActivities({
  storage,
  speech,
  location,
  heartbeatIntervalMs,
}: {
  storage: BlobStorage;
  speech: SpeechEngines;
  location: ModelLocation;
  heartbeatIntervalMs: number;
}) {
  const revoice = async (input: {
    jobId: string;
    stepIndex: number;
    inputKey: string;
    lines: TimedLine[];
    synth: { language: string; modelId?: string; voiceId?: string };
  }) => {
    const context = Context.current();
    const { samples, sampleRate } = decodeWav(await storage.getBuffer(input.inputKey));
    const sourceSeconds = samples.length / sampleRate;
    let lastBeat = 0;
    const beat = (fraction: number) => {
      const now = performance.now();
      if (now - lastBeat < heartbeatIntervalMs && fraction < 1) return;
      lastBeat = now;
      context.heartbeat({
        fraction,
        processedSeconds: fraction * sourceSeconds,
        totalSeconds: sourceSeconds,
      } satisfies InferenceHeartbeat);
    };

    // The background is what the strongest denoiser removes: noise, room, music (with some speech leakage,
    // which the assembly ducks under the new voice).
    const denoiserModel = selectModel({ task: 'denoise' }, location);
    const denoiser = await loadDenoiser(denoiserModel, location);
    const enhanced = await denoiser.process(samples, {
      strength: 1,
      signal: context.cancellationSignal,
      onProgress: (fraction) => beat(fraction * 0.3),
    });
    const background = estimateBackground(samples, enhanced);

    const segments: Array<{ start: number; end: number; audio: Float32Array }> = [];
    let modelId = input.synth.modelId ?? '';
    for (const [index, line] of input.lines.entries()) {
      context.cancellationSignal.throwIfAborted();
      if (line.text.trim() === '') continue;
      const spoken = await speech.synthesize(
        { text: line.text, language: input.synth.language, modelId: input.synth.modelId, voiceId: input.synth.voiceId },
        { signal: context.cancellationSignal },
      );
      modelId = spoken.modelId;
      segments.push({
        start: line.start,
        end: line.end,
        audio: resample(spoken.samples, spoken.sampleRate, sampleRate),
      });
      beat(0.3 + (0.6 * (index + 1)) / input.lines.length);
    }
    const dub = await assembleDubYielding(
      { sourceDurationSeconds: sourceSeconds, sampleRate, segments, background: background.samples },
      (fraction) => beat(0.9 + 0.1 * fraction),
    );
    const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'revoiced');
    await storage.putBuffer(outputKey, encodeWav(dub.samples, sampleRate, { format: 'float32' }), 'audio/wav');
    return { outputKey, speechModelId: modelId, denoiserId: denoiserModel.id, placements: dub.placements.length };
  };

  const loadTranscript = async (key: string): Promise<TranscriptionResult> =>
    JSON.parse((await storage.getBuffer(key)).toString('utf8')) as TranscriptionResult;

  const saveScript = async (jobId: string, stepIndex: number, language: string, lines: TimedLine[]) => {
    const scriptKey = `${jobStorageKeys(jobId).root}/script-${String(stepIndex).padStart(2, '0')}.json`;
    const text = lines.map((line) => line.text).join(' ');
    await storage.putBuffer(
      scriptKey,
      Buffer.from(JSON.stringify({ language, text, segments: lines })),
      'application/json',
    );
    return { scriptKey, text };
  };

  return {
    /** Transcript → rule-based translation → speech in the target language, fitted to each source slot. */
    async runDub(input: {
      jobId: string;
      stepIndex: number;
      inputKey: string;
      transcriptKey: string;
      step: DubStep;
    }): Promise<RevoicedResult> {
      try {
        const transcript = await loadTranscript(input.transcriptKey);
        const translation = await translate({
          segments: transcript.segments,
          source: input.step.source_language ?? transcript.language,
          target: input.step.target_language,
          signal: Context.current().cancellationSignal,
        });
        const lines = translation.segments.map(({ start, end, text }) => ({ start, end, text }));
        const revoiced = await revoice({ ...input, lines, synth: { language: input.step.target_language } });
        const script = await saveScript(input.jobId, input.stepIndex, input.step.target_language, lines);
        return {
          outputKey: revoiced.outputKey,
          scriptKey: script.scriptKey,
          language: input.step.target_language,
          lines: lines.length,
          preview: script.text.slice(0, 280),
          methods: {
            translation:
              translation.engine === 'apertium'
                ? `apertium ${translation.mode ?? ''} (rule-based)`.trim()
                : 'none (same language)',
            speech: revoiced.speechModelId,
            background: `input minus ${revoiced.denoiserId}-denoised speech (estimate)`,
          },
        };
      } catch (error) {
        throw asFailure(error);
      }
    },

    /** Re-voices the transcript in the target accent's voice, phrase by phrase, keeping the word timing. */
    async runAccentChange(input: {
      jobId: string;
      stepIndex: number;
      inputKey: string;
      transcriptKey: string;
      step: AccentChangeStep;
    }): Promise<RevoicedResult> {
      try {
        const voice = accentVoiceFor(input.step.target_accent, {
          isAvailable: (id) => {
            const model = getModel(id);
            return model !== undefined && isInstalled(model, location);
          },
        });
        const transcript = await loadTranscript(input.transcriptKey);
        const lines = groupWordsIntoPhrases(transcript.words).map(({ start, end, text }) => ({ start, end, text }));
        const revoiced = await revoice({
          ...input,
          lines,
          synth: { language: voice.language, modelId: voice.modelId, voiceId: voice.voiceId },
        });
        const script = await saveScript(input.jobId, input.stepIndex, voice.language, lines);
        return {
          outputKey: revoiced.outputKey,
          scriptKey: script.scriptKey,
          language: voice.language,
          lines: lines.length,
          preview: script.text.slice(0, 280),
          methods: {
            speech: `${revoiced.speechModelId} voice ${voice.voiceId} (${voice.displayName}, ${voice.kind})`,
            background: `input minus ${revoiced.denoiserId}-denoised speech (estimate)`,
          },
        };
      } catch (error) {
        throw asFailure(error);
      }
    },
  };
}
