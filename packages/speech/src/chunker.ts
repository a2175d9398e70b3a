import { SileroVad, VAD_FRAME, VAD_SAMPLE_RATE } from './vad';

/** Tuning of the VAD gate; times in seconds. */
export interface ChunkerOptions {
  /** Longest piece handed to the recogniser (Whisper's window is 30 s). */
  readonly maxChunkSeconds: number;
  /** Speech probability that opens a speech region; it closes below `threshold - 0.15` (hysteresis). */
  readonly threshold: number;
  /** Silence that ends a speech region. */
  readonly minSilenceSeconds: number;
  /** Audio kept on both sides of speech so word onsets and tails are not clipped. */
  readonly padSeconds: number;
  /** A silence this long closes the current chunk even when it is short. */
  readonly closeGapSeconds: number;
  /**
   * Join successive chunks, without the silence between them, into one piece of at most `maxChunkSeconds`
   * (what faster-whisper's own VAD does): Whisper then decodes full 30 s windows instead of one mostly padded
   * window per short chunk.
   */
  readonly packSpeech: boolean;
}

export const DEFAULT_CHUNKER: ChunkerOptions = {
  maxChunkSeconds: 30,
  threshold: 0.5,
  minSilenceSeconds: 0.3,
  padSeconds: 0.2,
  closeGapSeconds: 1.5,
  packSpeech: false,
};

/** A piece of speech to recognise; `start` is its offset in seconds on the input timeline. */
export interface SpeechChunk {
  readonly start: number;
  readonly samples: Float32Array;
}

/**
 * Streams 16 kHz audio through the Silero VAD and yields speech chunks of at most `maxChunkSeconds`,
 * cut inside silences (at the least speech-like frame of the chunk's second half when speech runs on).
 * Only the open chunk is buffered, so memory stays bounded whatever the input length; pure
 * silence or noise yields nothing, which is what keeps the recogniser from hallucinating on it.
 */
export async function* vadChunks(
  vad: SileroVad,
  blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  options: ChunkerOptions = DEFAULT_CHUNKER,
): AsyncGenerator<SpeechChunk> {
  const sr = VAD_SAMPLE_RATE;
  const maxLen = Math.round(options.maxChunkSeconds * sr);
  const pad = Math.round(options.padSeconds * sr);
  const minSilence = Math.round(options.minSilenceSeconds * sr);
  const closeGap = Math.round(options.closeGapSeconds * sr);
  const offThreshold = options.threshold - 0.15;
  vad.reset();

  // `buf` holds samples from absolute index `bufStart`; only the open chunk and one pad are kept.
  let buf = new Float32Array(0);
  let bufStart = 0;
  let pos = 0; // absolute index of the next frame to score
  let triggered = false;
  let silenceStart: number | null = null;
  let chunkStart: number | null = null;
  let lastSpeechEnd = 0;
  const probs: number[] = []; // per frame since chunkStart (rounded down to a frame)
  let probsStart = 0;
  const pending = new Float32Array(VAD_FRAME);
  let pendingLen = 0;

  const slice = (from: number, to: number): Float32Array => buf.slice(from - bufStart, to - bufStart);
  const append = (block: Float32Array): void => {
    const next = new Float32Array(buf.length + block.length);
    next.set(buf);
    next.set(block, buf.length);
    buf = next;
  };
  const dropBefore = (index: number): void => {
    const cut = Math.max(0, Math.min(buf.length, index - bufStart));
    if (cut > 0) {
      buf = buf.slice(cut);
      bufStart += cut;
    }
  };

  async function* scoreFrame(frame: Float32Array): AsyncGenerator<SpeechChunk> {
    const p = await vad.probability(frame);
    const frameStart = pos;
    pos += VAD_FRAME;
    if (!triggered && p >= options.threshold) {
      triggered = true;
      silenceStart = null;
      if (chunkStart === null) {
        chunkStart = Math.max(bufStart, frameStart - pad);
        probs.length = 0;
        probsStart = frameStart;
      }
    } else if (triggered) {
      if (p < offThreshold) {
        silenceStart ??= frameStart;
        if (pos - silenceStart >= minSilence) {
          triggered = false;
          lastSpeechEnd = silenceStart;
        }
      } else silenceStart = null;
    }
    if (chunkStart !== null) probs.push(p);

    if (chunkStart !== null && !triggered && pos - lastSpeechEnd >= closeGap) {
      const end = Math.min(pos, lastSpeechEnd + pad);
      yield { start: chunkStart / sr, samples: slice(chunkStart, end) };
      chunkStart = null;
    } else if (chunkStart !== null && pos - chunkStart >= maxLen) {
      // Speech ran on for a whole window: cut at the least speech-like frame of the second half.
      let best = probs.length - 1;
      for (let i = Math.floor(probs.length / 2); i < probs.length; i++) {
        if ((probs[i] ?? 1) < (probs[best] ?? 1)) best = i;
      }
      const cut = Math.min(pos, Math.max(chunkStart + 1, probsStart + best * VAD_FRAME + VAD_FRAME / 2));
      yield { start: chunkStart / sr, samples: slice(chunkStart, cut) };
      const keep = Math.max(0, Math.floor((cut - probsStart) / VAD_FRAME));
      probs.splice(0, keep);
      probsStart += keep * VAD_FRAME;
      // A cut inside trailing silence leaves nothing worth recognising: close instead of carrying on.
      chunkStart = !triggered && lastSpeechEnd <= cut ? null : cut;
    }
    dropBefore(chunkStart ?? pos - pad);
  }

  for await (const block of blocks) {
    append(block);
    let offset = 0;
    while (offset < block.length) {
      const take = Math.min(VAD_FRAME - pendingLen, block.length - offset);
      pending.set(block.subarray(offset, offset + take), pendingLen);
      pendingLen += take;
      offset += take;
      if (pendingLen === VAD_FRAME) {
        pendingLen = 0;
        yield* scoreFrame(pending);
      }
    }
  }
  const total = bufStart + buf.length;
  if (pendingLen > 0) {
    pending.fill(0, pendingLen);
    pendingLen = 0;
    yield* scoreFrame(pending);
  }
  if (chunkStart !== null) {
    const end = triggered ? total : Math.min(total, lastSpeechEnd + pad);
    if (end > chunkStart) yield { start: chunkStart / sr, samples: slice(chunkStart, end) };
  }
}
