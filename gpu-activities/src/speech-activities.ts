import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { ProgressHeartbeat, failureRule, permanentFailure, toFailure, withScratchDir } from '@voice/activity-kit';
import { decodeStream, encodeWav, readWavInfo, resample } from '@voice/audio';
import { UnknownModelError } from '@voice/models';
import {
  FailureTypes,
  PROCESSING_SAMPLE_RATE,
  jobStorageKeys,
  speakableText,
  STREAM_PART_FORMAT,
  type StreamEnd,
  type SttStep,
  type TranscriptArtifacts,
  type TtsStep,
} from '@voice/shared';
import { reportStep } from '@voice/metrics';
import type { BlobStorage } from '@voice/storage';
import {
  SpeechEngineUnavailableError,
  SpeechRequestError,
  judgeIntelligibility,
  toSrt,
  toVtt,
  type SpeechEngines,
} from '@voice/speech';

/** Recognisers run at 16 kHz; the pipeline's working audio is 48 kHz. */
const STT_SAMPLE_RATE = 16_000;

export type { TranscriptArtifacts } from '@voice/shared';

/** Engine errors as Temporal failures: bad requests and missing models never heal on retry. */
const SPEECH_FAILURES = [
  failureRule(SpeechRequestError, FailureTypes.InvalidRequest),
  failureRule(UnknownModelError, FailureTypes.UnknownModel),
  failureRule(SpeechEngineUnavailableError, FailureTypes.ModelUnavailable),
];
const asFailure = (error: unknown): unknown => toFailure(error, SPEECH_FAILURES);

/** Float samples as 16-bit little-endian PCM, clipped (the streamed parts' format). */
function pcm16(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const clipped = Math.max(-1, Math.min(1, samples[i] ?? 0));
    out.writeInt16LE(Math.round(clipped * 32767), i * 2);
  }
  return out;
}

/** The job a stored key belongs to (`jobs/<jobId>/…`), for callers that predate passing the job id. */
const jobIdOfKey = (key: string): string => /^jobs\/([A-Za-z0-9_-]+)\//.exec(key)?.[1] ?? 'unassigned';

/** Speech-to-text and text-to-speech on the GPU queue, over one `SpeechEngines` built when the worker starts. */
export function createSpeechActivities({
  storage,
  engines,
  workDir,
  heartbeatIntervalMs,
}: {
  storage: BlobStorage;
  engines: SpeechEngines;
  workDir: string;
  heartbeatIntervalMs: number;
}) {
  const control = (totalSeconds: number) =>
    new ProgressHeartbeat({ intervalMs: heartbeatIntervalMs, totalSeconds }).control();
  /** Recognition reports progress once per window (up to two minutes of audio): keep the worker visibly alive. */
  const KEEP_ALIVE_MS = 5_000;

  /**
   * Transcribes stored audio as a 16 kHz stream decoded by ffmpeg from a local copy, so an hour-long file is
   * never held in memory (the engine buffers one VAD-cut window at a time).
   */
  const transcribeStored = (
    jobId: string,
    audioKey: string,
    options: { modelId?: string; language?: string; task?: 'transcribe' | 'translate' },
  ) =>
    withScratchDir(workDir, jobId, 'stt', async (dir) => {
      const local = path.join(dir, 'audio.wav');
      await storage.downloadToFile(audioKey, local);
      const { frames, sampleRate } = await readWavInfo(local);
      const durationSeconds = frames / sampleRate;
      const heartbeat = new ProgressHeartbeat({ intervalMs: heartbeatIntervalMs, totalSeconds: durationSeconds });
      const progress = heartbeat.control();
      const stopKeepAlive = heartbeat.keepAlive(KEEP_ALIVE_MS);
      try {
        const result = await engines.transcribe(
          { blocks: decodeStream(local, STT_SAMPLE_RATE, { signal: progress.signal }), durationSeconds },
          { ...options, ...progress },
        );
        reportStep({ model: result.modelId, audioSeconds: durationSeconds });
        return result;
      } finally {
        stopKeepAlive();
      }
    });

  return {
    /** Synthesises the job's text; the audio joins the pipeline at the working rate. */
    async runTts(input: { jobId: string; stepIndex: number; text: string; step: TtsStep }) {
      Context.current().heartbeat();
      // The API stores the text normalised already; this covers jobs submitted before it did, and other callers.
      const text = speakableText(input.text);
      const keys = jobStorageKeys(input.jobId);
      // A streamed job stores each sentence once spoken: the API relays it while the next one is synthesised.
      const onSentence = input.step.stream
        ? async (piece: { samples: Float32Array; sampleRate: number }, index: number) => {
            const samples = resample(piece.samples, piece.sampleRate, STREAM_PART_FORMAT.sampleRate);
            await storage.putBuffer(keys.streamPart(index), pcm16(samples), 'application/octet-stream');
          }
        : undefined;
      try {
        const speech = await engines.synthesize(
          {
            text,
            modelId: input.step.model,
            voiceId: input.step.voice_id,
            language: input.step.language,
            speed: input.step.speed,
            // The API takes semitones; the engine takes a frequency ratio.
            pitch: input.step.pitch === undefined ? undefined : 2 ** (input.step.pitch / 12),
          },
          { ...control(text.length / 15), ...(onSentence ? { onSentence } : {}) },
        );
        reportStep({ model: speech.modelId, audioSeconds: speech.durationSeconds });
        if (onSentence) {
          const end: StreamEnd = { parts: speech.sentences };
          await storage.putBuffer(keys.streamEnd, Buffer.from(JSON.stringify(end)), 'application/json');
        }
        const samples = resample(speech.samples, speech.sampleRate, PROCESSING_SAMPLE_RATE);
        const outputKey = keys.step(input.stepIndex, 'tts');
        await storage.putBuffer(
          outputKey,
          encodeWav(samples, PROCESSING_SAMPLE_RATE, { format: 'float32' }),
          'audio/wav',
        );
        return {
          outputKey,
          durationMs: Math.round(speech.durationSeconds * 1000),
          modelId: speech.modelId,
          voiceId: speech.voiceId,
          language: speech.language,
          sentences: speech.sentences,
        };
      } catch (error) {
        throw asFailure(error);
      }
    },

    /** Transcribes the current audio; transcript JSON (with word timings), SRT and VTT become job artifacts. */
    async runStt(input: {
      jobId: string;
      stepIndex: number;
      inputKey: string;
      step: SttStep;
    }): Promise<TranscriptArtifacts> {
      Context.current().heartbeat();
      try {
        const result = await transcribeStored(input.jobId, input.inputKey, {
          modelId: input.step.model,
          language: input.step.language,
          ...(input.step.task ? { task: input.step.task } : {}),
        });
        const keys = jobStorageKeys(input.jobId);
        // Per step, so a chain that transcribes twice (an stt step and a mute_word edit) keeps both.
        const stem = `${keys.root}/transcript-${String(input.stepIndex).padStart(2, '0')}`;
        const artifacts = { transcriptKey: `${stem}.json`, srtKey: `${stem}.srt`, vttKey: `${stem}.vtt` };
        // Three independent objects: written concurrently, the job's end waits for one round trip, not three.
        await Promise.all([
          storage.putBuffer(artifacts.transcriptKey, Buffer.from(JSON.stringify(result)), 'application/json'),
          storage.putBuffer(artifacts.srtKey, Buffer.from(toSrt(result)), 'application/x-subrip'),
          storage.putBuffer(artifacts.vttKey, Buffer.from(toVtt(result)), 'text/vtt'),
        ]);
        return {
          ...artifacts,
          modelId: result.modelId,
          language: result.language,
          wordCount: result.words.length,
          preview: result.text.slice(0, 280),
        };
      } catch (error) {
        throw asFailure(error);
      }
    },

    /** The TTS quality gate: transcribe the delivered audio and compare it with the text that was asked for. */
    async checkIntelligibility(input: { audioKey: string; expectedText: string; language?: string; jobId?: string }) {
      Context.current().heartbeat();
      try {
        const jobId = input.jobId ?? jobIdOfKey(input.audioKey);
        const result = await transcribeStored(jobId, input.audioKey, { language: input.language });
        const verdict = judgeIntelligibility(input.expectedText, result.text);
        if (!verdict.matches) {
          const percent = (rate: number) => `${(rate * 100).toFixed(0)}%`;
          throw permanentFailure(
            FailureTypes.QualityCheckFailed,
            `Quality check failed: the speech does not match the text (word error rate ${percent(verdict.wordErrorRate)}, character error rate ${percent(verdict.characterErrorRate)})`,
          );
        }
        return { wordErrorRate: verdict.wordErrorRate, recognizer: result.modelId, heard: result.text.slice(0, 280) };
      } catch (error) {
        throw asFailure(error);
      }
    },
  };
}
