import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { ProgressHeartbeat, failureRule, toFailure, withScratchDir } from '@voice/activity-kit';
import { WavFileReader, WavStreamWriter, readWavStream } from '@voice/audio';
import {
  DubbingError,
  MIX_BLOCK,
  SpeechTrack,
  TranslationEngineError,
  accentVoiceFor,
  clipSafeScale,
  denoiseForBackground,
  dubLayout,
  groupWordsIntoPhrases,
  mixRevoiced,
  scaleBlock,
  segmentOrder,
  translate,
} from '@voice/dubbing';
import { getModel, isInstalled, selectModel, type ModelLocation } from '@voice/models';
import { FailureTypes, jobStorageKeys, type AccentChangeStep, type DubStep, type RevoicedRecord } from '@voice/shared';
import { reportStep } from '@voice/metrics';
import type { BlobStorage } from '@voice/storage';
import { loadDenoiser } from '@voice/denoise';
import { SpeechRequestError, type SpeechEngines, type TranscriptionResult } from '@voice/speech';

interface TimedLine {
  start: number;
  end: number;
  text: string;
}

/** What every re-voiced job records about how it was made (the workflow adds what was heard). */
export type RevoicedResult = Omit<RevoicedRecord, 'op' | 'source'>;

const DUB_FAILURES = [
  failureRule(DubbingError, FailureTypes.InvalidRequest),
  failureRule(SpeechRequestError, FailureTypes.InvalidRequest),
  // Apertium not installed is an operator problem; a timeout or crash may pass on retry.
  failureRule(TranslationEngineError, FailureTypes.ModelUnavailable, { when: (error) => error.reason === 'missing' }),
];
const asFailure = (error: unknown): unknown => toFailure(error, DUB_FAILURES);

/**
 * Dubbing and accent change: the source speech is re-voiced line by line in its original time slots, over an
 * estimate of the original background (the input minus its denoised speech, so ambience and music survive).
 */
export function createDubActivities({
  storage,
  speech,
  location,
  workDir,
  heartbeatIntervalMs,
}: {
  storage: BlobStorage;
  speech: SpeechEngines;
  location: ModelLocation;
  workDir: string;
  heartbeatIntervalMs: number;
}) {
  /**
   * Re-voices `lines` over the input's background, streamed through scratch files so memory stays flat however
   * long the recording is: (1) a streamed denoise gives the speech estimate and the least-squares gain that
   * leaves the least speech in the residual; (2) each line is synthesised, fitted to its slot and written to a
   * speech track in time order (placed lines never overlap); (3) speech plus the ducked background
   * (input − gain · denoised) is mixed block by block, then scaled once if it would clip. The signal processing
   * of each stage is in @voice/dubbing (`denoiseForBackground`, `SpeechTrack`, `mixRevoiced`); this does the I/O.
   */
  const revoice = async (input: {
    jobId: string;
    stepIndex: number;
    inputKey: string;
    lines: TimedLine[];
    synth: { language: string; modelId?: string; voiceId?: string };
  }) => {
    const signal = Context.current().cancellationSignal;
    return withScratchDir(workDir, input.jobId, 'revoice', async (dir) => {
      const file = (name: string) => path.join(dir, name);
      await storage.downloadToFile(input.inputKey, file('input.wav'));
      const original = await WavFileReader.open(file('input.wav'));
      try {
        const { sampleRate } = original;
        const sourceSeconds = original.length / sampleRate;
        const beat = new ProgressHeartbeat({ intervalMs: heartbeatIntervalMs, totalSeconds: sourceSeconds }).progress;

        const stage = (from: number, share: number) => (fraction: number) => beat(from + share * fraction);
        const float32 = { format: 'float32' } as const;

        // 1. The background estimate: the strongest denoiser's speech, removed from the input (the stream is
        // delay-compensated: no lag to find).
        const denoiserModel = selectModel({ task: 'denoise' }, location);
        const denoiser = await loadDenoiser(denoiserModel, location);
        const stream = await denoiser.openStream({ strength: 1, signal });
        const enhancedWriter = await WavStreamWriter.create(file('enhanced.wav'), sampleRate, float32);
        let backgroundGain: number;
        try {
          backgroundGain = await denoiseForBackground({
            blocks: readWavStream(file('input.wav')),
            original,
            denoiser: stream,
            enhanced: enhancedWriter,
            onProgress: stage(0, 0.3),
          });
        } finally {
          stream.close();
          await enhancedWriter.close();
        }

        // 2. The speech track, line by line in time order.
        const layout = dubLayout({ sourceDurationSeconds: sourceSeconds, sampleRate });
        const spoken = input.lines.filter((line) => line.text.trim() !== '');
        const order = segmentOrder(spoken, sourceSeconds);
        let modelId = input.synth.modelId ?? '';
        const speechWriter = await WavStreamWriter.create(file('speech.wav'), sampleRate, float32);
        const track = new SpeechTrack(layout, speechWriter);
        try {
          for (const [rank, index] of order.entries()) {
            signal.throwIfAborted();
            const line = spoken[index]!;
            const voice = await speech.synthesize(
              {
                text: line.text,
                language: input.synth.language,
                modelId: input.synth.modelId,
                voiceId: input.synth.voiceId,
              },
              { signal },
            );
            modelId = voice.modelId;
            const nextIndex = order[rank + 1];
            await track.place(line, voice, nextIndex === undefined ? undefined : spoken[nextIndex]!.start);
            beat(0.3 + (0.6 * (rank + 1)) / order.length);
          }
          await track.finish();
        } finally {
          await speechWriter.close();
        }

        // 3. Speech plus the ducked background, then one gain if the mix would clip (not a limiter: it keeps
        // the speech/background balance; loudness is the pipeline's next step).
        const speechTrack = await WavFileReader.open(file('speech.wav'));
        const enhanced = await WavFileReader.open(file('enhanced.wav')).catch(async (error: unknown) => {
          await speechTrack.close();
          throw error;
        });
        const mixWriter = await WavStreamWriter.create(file('mix.wav'), sampleRate, float32);
        let peak: number;
        try {
          ({ peak } = await mixRevoiced({
            speech: speechTrack,
            original,
            enhanced,
            spans: track.spans,
            backgroundGain,
            layout,
            out: mixWriter,
            signal,
            onProgress: stage(0.9, 0.1),
          }));
        } finally {
          await mixWriter.close();
          await speechTrack.close();
          await enhanced.close();
        }
        let rendered = file('mix.wav');
        const scale = clipSafeScale(peak);
        if (scale !== undefined) {
          rendered = file('mix-scaled.wav');
          const scaledWriter = await WavStreamWriter.create(rendered, sampleRate, float32);
          try {
            for await (const block of readWavStream(file('mix.wav'), { blockSamples: MIX_BLOCK })) {
              await scaledWriter.write(scaleBlock(block, scale));
            }
          } finally {
            await scaledWriter.close();
          }
        }
        const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'revoiced');
        await storage.putFile(outputKey, rendered, 'audio/wav', { consume: true });
        return { outputKey, speechModelId: modelId, denoiserId: denoiserModel.id, placements: track.spans.length };
      } finally {
        await original.close();
      }
    });
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
        reportStep({ model: revoiced.speechModelId });
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
        reportStep({ model: revoiced.speechModelId });
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
