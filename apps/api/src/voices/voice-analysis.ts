import {
  AudioValidationError,
  WavFileReader,
  decodeToMonoFloat,
  probeAudioFile,
  type AudioProbe,
  type AudioValidationReason,
} from '@voice/audio';
import {
  ANALYSIS_RATE,
  VoiceDspError,
  analyzeVoice,
  type VoiceCharacteristics,
  type VoiceDspErrorCode,
} from '@voice/voice-dsp';

/** What a thread is asked to do: only the path travels in, never the audio. */
export interface VoiceAnalysisRequest {
  filePath: string;
  ffmpegPath?: string;
  minSeconds: number;
  maxSeconds: number;
}

/** Why a sample was refused; each maps to a 4xx. Plain data, so it crosses the thread boundary as is. */
export type VoiceSampleRejection =
  | { kind: 'invalid_audio'; reason: AudioValidationReason; message: string }
  | { kind: 'too_short'; seconds: number }
  | { kind: 'unanalysable'; code: VoiceDspErrorCode; message: string };

export type VoiceAnalysisOutcome =
  | { ok: true; probe: AudioProbe; characteristics: VoiceCharacteristics }
  | { ok: false; rejection: VoiceSampleRejection };

/**
 * Probe, decode and analyse one sample. CPU-heavy and, for non-WAV input, a child-process spawn: it runs in a
 * worker thread (voice-analysis.thread.ts), never on the API's event loop. The length cap is checked from the
 * probe (the WAV header, or the duration ffmpeg declares before decoding) so a too-long file is never decoded.
 */
export async function analyzeVoiceSample(request: VoiceAnalysisRequest): Promise<VoiceAnalysisOutcome> {
  let probe: AudioProbe;
  try {
    probe = await probeAudioFile(request.filePath, {
      ffmpegPath: request.ffmpegPath,
      maxDurationSeconds: request.maxSeconds,
    });
  } catch (error) {
    if (error instanceof AudioValidationError) {
      return { ok: false, rejection: { kind: 'invalid_audio', reason: error.reason, message: error.message } };
    }
    throw error;
  }
  const seconds = probe.durationMs / 1000;
  if (seconds < request.minSeconds) return { ok: false, rejection: { kind: 'too_short', seconds } };
  const { samples, sampleRate } = await decodeMono(request, probe);
  try {
    return { ok: true, probe, characteristics: analyzeVoice(samples, sampleRate) };
  } catch (error) {
    if (error instanceof VoiceDspError) {
      return { ok: false, rejection: { kind: 'unanalysable', code: error.code, message: error.message } };
    }
    throw error;
  }
}

/**
 * Linear PCM / float WAV is read in JS (no ffmpeg process: forking from the API process costs ~20 ms of
 * page-table copying however small the job); analyzeVoice resamples it to 16 kHz itself. Other formats, and
 * WAV codecs the reader does not know, are decoded by ffmpeg straight to 16 kHz mono.
 */
async function decodeMono(
  request: VoiceAnalysisRequest,
  probe: AudioProbe,
): Promise<{ samples: Float32Array; sampleRate: number }> {
  if (probe.container === 'wav') {
    const reader = await WavFileReader.open(request.filePath).catch((error: unknown) => {
      if (error instanceof AudioValidationError && error.reason === 'unsupported_format') return undefined;
      throw error;
    });
    if (reader) {
      try {
        return { samples: reader.read(0, reader.length), sampleRate: reader.sampleRate };
      } finally {
        await reader.close();
      }
    }
  }
  const samples = await decodeToMonoFloat(request.filePath, ANALYSIS_RATE, { ffmpegPath: request.ffmpegPath });
  return { samples, sampleRate: ANALYSIS_RATE };
}

/** Pool → thread message. */
export interface ThreadTask {
  id: number;
  request: VoiceAnalysisRequest;
}

/** Thread → pool message: the outcome, or an unexpected failure as plain data. */
export type ThreadReply =
  | { id: number; outcome: VoiceAnalysisOutcome; failure?: undefined }
  | { id: number; outcome?: undefined; failure: { message: string; stack?: string } };
