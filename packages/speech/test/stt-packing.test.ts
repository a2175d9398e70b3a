import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getModel, resolveModelFile } from '@voice/models';
import { synthesizeSpeech, whiteNoise } from '@voice/testkit';
import { DEFAULT_CHUNKER, normalizeWords, SpeechEngines, type TranscribedWord, type TranscriptionResult } from '../src';
import { transcribeChunked, type ChunkTranscript } from '../src/stt';
import { SileroVad } from '../src/vad';

const RATE = 16000;
const FIRST = 'Please call Stella and ask her to bring these things from the store.';
const SECOND = 'Six spoons of fresh snow peas and a big toy frog for the kids.';
/** Well over the 1.5 s pause that closes a chunk, so the pause is cut out of what the recogniser hears. */
const PAUSE_SECONDS = 4;
/** The chunker keeps this much audio on each side of speech (its default pad). */
const PAD_SECONDS = DEFAULT_CHUNKER.padSeconds;
const PACKED = { maxChunkSeconds: 120, packSpeech: true };

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function loadVad(): Promise<SileroVad> {
  const model = getModel('silero-vad-v5');
  assert.ok(model?.files[0], 'silero-vad-v5 is in the registry');
  return SileroVad.load(resolveModelFile(model, model.files[0]));
}

describe('speech packing for Whisper', () => {
  let first: Float32Array;
  let clip: Float32Array;
  let firstEnd: number;
  let secondStart: number;

  before(async () => {
    first = (await synthesizeSpeech(FIRST, { voice: 'kal16', sampleRate: RATE })).samples;
    const second = (await synthesizeSpeech(SECOND, { voice: 'kal16', sampleRate: RATE })).samples;
    clip = concat(first, whiteNoise(PAUSE_SECONDS * RATE, 0.001, 11), second);
    firstEnd = first.length / RATE;
    secondStart = firstEnd + PAUSE_SECONDS;
  });

  describe('placing times back on the input timeline', () => {
    let vad: SileroVad;
    let pieceLengths: number[];
    let placed: TranscribedWord[];

    before(async () => {
      vad = await loadVad();
      pieceLengths = [];
      // A probe, not a model: one "word" every 0.25 s of whatever it is handed, so every part of the packed
      // piece shows where it lands on the input.
      const probe = (samples: Float32Array): Promise<ChunkTranscript> => {
        pieceLengths.push(samples.length / RATE);
        const words: TranscribedWord[] = [];
        for (let t = 0; t + 0.2 <= samples.length / RATE; t += 0.25) words.push({ word: 'w', start: t, end: t + 0.2 });
        return Promise.resolve({ language: 'en', words });
      };
      placed = (await transcribeChunked(vad, [clip], probe, { chunking: PACKED })).words;
    });
    after(() => vad.dispose());

    it('hands the recogniser one piece without the pause', () => {
      assert.equal(pieceLengths.length, 1);
      const removed = clip.length / RATE - (pieceLengths[0] ?? 0);
      // The pause, less the pads kept on both sides of it (and flite's own quiet edges, which the VAD also drops).
      assert.ok(removed >= PAUSE_SECONDS - 2 * PAD_SECONDS - 0.1, `removed ${removed.toFixed(2)} s`);
      assert.ok(removed <= PAUSE_SECONDS + 1.5, `removed ${removed.toFixed(2)} s`);
    });

    it('maps the join onto the removed pause: nothing inside it, the rest on both sides', () => {
      const removed = clip.length / RATE - (pieceLengths[0] ?? 0);
      let previousEnd = 0;
      let widestGap = 0;
      for (const w of placed) {
        assert.ok(w.start >= previousEnd && w.end >= w.start, `${w.start}-${w.end} after ${previousEnd}`);
        widestGap = Math.max(widestGap, w.start - previousEnd);
        previousEnd = w.end;
      }
      assert.ok(previousEnd <= clip.length / RATE + 1e-9);
      // The probe's words are 0.05 s apart in the piece; only the join can open a gap as wide as the cut.
      assert.ok(widestGap >= removed - 0.3, `widest gap ${widestGap.toFixed(2)} s for ${removed.toFixed(2)} s removed`);
      // Pads and the VAD's release keep under a second of the pause on each side, never its middle.
      const inPause = placed.filter((w) => w.start < secondStart - 1 && w.end > firstEnd + 1);
      assert.deepEqual(inPause, []);
      assert.ok(placed.some((w) => w.end <= firstEnd));
      assert.ok(placed.some((w) => w.start >= secondStart));
    });
  });

  describe('with Whisper', () => {
    const engines = new SpeechEngines();
    let result: TranscriptionResult;
    after(() => engines.unloadAll());

    before(async () => {
      result = await engines.transcribe({ samples: clip, sampleRate: RATE }, { language: 'en' });
    });

    it('decodes both sentences in one piece and times each on its own side of the pause', () => {
      assert.equal(result.modelId, 'whisper-base');
      assert.equal(result.chunks, 1);
      const heard = result.words.map((w) => ({ ...w, norm: normalizeWords(w.word).join(' ') }));
      for (const word of ['please', 'bring', 'store']) {
        const hit = heard.find((w) => w.norm === word);
        assert.ok(hit, `"${word}" not found in ${result.text}`);
        assert.ok(hit.end <= firstEnd + 0.3, `"${word}" at ${hit.start}-${hit.end} is after the first sentence`);
      }
      for (const word of ['spoons', 'frog', 'kids']) {
        const hit = heard.find((w) => w.norm === word);
        assert.ok(hit, `"${word}" not found in ${result.text}`);
        assert.ok(hit.start >= secondStart - 0.3, `"${word}" at ${hit.start}-${hit.end} is before the second sentence`);
      }
      assert.ok(result.segments.every((s) => s.end <= firstEnd + 0.5 || s.start >= secondStart - PAD_SECONDS - 0.05));
    });
  });
});
