import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { measureRealTimeFactor, pinkNoise, synthesizeSpeech, whiteNoise } from '@voice/testkit';
import {
  normalizeWords,
  SpeechEngines,
  toSrt,
  toVtt,
  wordErrorRate,
  type TranscribedWord,
  type TranscriptionResult,
} from '../src';

const RATE = 16000;
const FIRST = 'Please call Stella and ask her to bring these things from the store.';
const SECOND = 'Six spoons of fresh snow peas and a big toy frog for the kids.';
const GAP_SECONDS = 2;
const LONG_SENTENCES = [
  'The harbour was quiet when the first boats came back with their nets full of silver fish.',
  'Our accountant checks every invoice twice before the quarterly report goes out.',
  'A gentle rain fell over the valley while the farmers waited for the harvest to dry.',
  'Please remember to lock the back door and switch off the kitchen lights tonight.',
  'The museum opens a new exhibition about ancient maps and early navigation next week.',
  'Children in the village learned to swim in the cold lake every summer.',
  'The train to the coast leaves at half past nine from platform four.',
  'Engineers tested the bridge with heavy trucks before it was opened to traffic.',
];

const engines = new SpeechEngines();
after(() => engines.unloadAll());

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function* blocksOf(samples: Float32Array, size: number): AsyncGenerator<Float32Array> {
  for (let i = 0; i < samples.length; i += size) {
    yield samples.slice(i, i + size);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function assertOrderedInside(words: readonly TranscribedWord[], duration: number): void {
  let previousEnd = 0;
  for (const w of words) {
    assert.ok(w.start >= previousEnd - 1e-9, `"${w.word}" starts at ${w.start} before previous end ${previousEnd}`);
    assert.ok(w.end >= w.start, `"${w.word}" ends before it starts`);
    assert.ok(w.start >= 0 && w.end <= duration + 1e-9, `"${w.word}" ${w.start}-${w.end} outside 0-${duration}`);
    previousEnd = w.end;
  }
}

describe('speech-to-text on flite speech', () => {
  let first: Float32Array;
  let second: Float32Array;
  let clip: Float32Array;
  let result: TranscriptionResult;
  let realTimeFactor: number;

  before(async () => {
    first = (await synthesizeSpeech(FIRST, { voice: 'kal16', sampleRate: RATE })).samples;
    second = (await synthesizeSpeech(SECOND, { voice: 'kal16', sampleRate: RATE })).samples;
    // A quiet noise floor in the gap: real recordings are never digitally silent.
    clip = concat(first, whiteNoise(GAP_SECONDS * RATE, 0.001, 7), second);
    await engines.transcribe({ samples: first.slice(0, RATE), sampleRate: RATE }); // load the model outside the timing
    const measured = await measureRealTimeFactor(clip.length / RATE, () =>
      engines.transcribe({ samples: clip, sampleRate: RATE }, { language: 'en' }),
    );
    result = measured.result;
    realTimeFactor = measured.realTimeFactor;
  });

  it('uses Whisper by default and returns the transcript with word timestamps', (t) => {
    t.diagnostic(`${result.modelId}: ${result.text} (RTF ${realTimeFactor.toFixed(3)})`);
    assert.equal(result.modelId, 'whisper-base');
    assert.equal(result.language, 'en');
    assert.ok(wordErrorRate(`${FIRST} ${SECOND}`, result.text) <= 0.1, result.text);
    // Speed is measured by `npm run bench`; a timed bound here would only measure the machine's load.
  });

  it('gives ordered word times inside the clip that cover each spoken word', () => {
    const duration = clip.length / RATE;
    assertOrderedInside(result.words, duration);
    const firstEnd = first.length / RATE;
    const secondStart = firstEnd + GAP_SECONDS;
    const heard = result.words.map((w) => ({ ...w, norm: normalizeWords(w.word).join(' ') }));
    const find = (word: string, from: number): (typeof heard)[number] | undefined =>
      heard.find((w) => w.norm === word && w.start >= from - 0.3);
    for (const word of ['please', 'stella', 'bring', 'store']) {
      const hit = find(word, 0);
      assert.ok(hit, `"${word}" not found`);
      assert.ok(hit.end <= firstEnd + 0.3, `"${word}" at ${hit.start}-${hit.end} is after the first sentence`);
    }
    for (const word of ['spoons', 'snow', 'frog', 'kids']) {
      const hit = find(word, secondStart);
      assert.ok(hit, `"${word}" not found after ${secondStart}s`);
    }
    // Word order follows the text: "please" starts near the clip start, "kids" ends near its end.
    assert.ok((find('please', 0)?.start ?? 99) < 0.6);
    assert.ok((find('kids', secondStart)?.end ?? 0) > duration - 0.8);
  });

  it('puts no words in the silent gap', () => {
    const gapStart = first.length / RATE + 0.15;
    const gapEnd = gapStart + GAP_SECONDS - 0.3;
    const inGap = result.words.filter((w) => w.start < gapEnd && w.end > gapStart);
    assert.deepEqual(inGap, []);
  });

  it('exports SRT and VTT whose cues match the words', () => {
    const srt = toSrt(result);
    const vtt = toVtt(result);
    assert.match(srt, /^1\n\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}\n\S/);
    assert.match(vtt, /^WEBVTT\n\n\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}\n\S/);
    const cueText = srt
      .split('\n\n')
      .map((cue) => cue.split('\n').slice(2).join(' '))
      .join(' ');
    assert.equal(cueText.trim(), result.words.map((w) => w.word).join(' '));
  });

  it('PocketSphinx (classical fallback) also returns timed words', async (t) => {
    const ps = await engines.transcribe({ samples: clip, sampleRate: RATE }, { modelId: 'pocketsphinx-en-us' });
    t.diagnostic(`pocketsphinx: ${ps.text}`);
    assert.equal(ps.modelId, 'pocketsphinx-en-us');
    assertOrderedInside(ps.words, clip.length / RATE);
    assert.ok(wordErrorRate(`${FIRST} ${SECOND}`, ps.text) <= 0.25, ps.text);
  });
});

describe('cancellation', () => {
  it('rejects with AbortError when the signal has fired', async () => {
    const speech = await synthesizeSpeech(FIRST, { voice: 'kal16', sampleRate: RATE });
    await assert.rejects(engines.transcribe(speech, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});

describe('VAD gate', () => {
  it('yields no words (and runs no model) on 5 s of noise', async () => {
    for (const noise of [whiteNoise(5 * RATE, 0.05, 1), pinkNoise(5 * RATE, 0.05, 2), new Float32Array(5 * RATE)]) {
      const result = await engines.transcribe({ samples: noise, sampleRate: RATE });
      assert.deepEqual(result.words, []);
      assert.equal(result.text, '');
      assert.equal(result.chunks, 0);
    }
  });
});

describe('long input', () => {
  it('is cut into ≤30 s chunks at pauses with monotonic times across chunks', async (t) => {
    // Distinct sentences in four voices: Whisper's repetition guard (compression ratio) would re-decode
    // a window of one sentence repeated verbatim, which real speech rarely is.
    const voices = ['kal16', 'slt', 'awb', 'rms'] as const;
    const pause = new Float32Array(Math.round(0.35 * RATE));
    const parts: Float32Array[] = [];
    const spoken: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (const [i, sentence] of LONG_SENTENCES.entries()) {
        const voice = voices[(i + round) % voices.length] ?? 'kal16';
        parts.push((await synthesizeSpeech(sentence, { voice, sampleRate: RATE })).samples, pause);
        spoken.push(sentence);
      }
    }
    const long = concat(...parts);
    const duration = long.length / RATE;
    const progress: number[] = [];
    const { result, realTimeFactor } = await measureRealTimeFactor(duration, () =>
      // Fed as a stream of 1 s blocks, the way a long file is decoded, so only the open chunk is buffered.
      engines.transcribe(
        { blocks: blocksOf(long, RATE), durationSeconds: long.length / RATE },
        // Whisper's default window is two minutes; 30 s windows put several chunk boundaries in this input.
        {
          modelId: 'whisper-tiny-en',
          beamSize: 1,
          onProgress: (f) => progress.push(f),
          chunking: { maxChunkSeconds: 30 },
        },
      ),
    );
    const wer = wordErrorRate(spoken.join(' '), result.text);
    t.diagnostic(
      `${duration.toFixed(1)} s in ${result.chunks} chunks, whisper-tiny-en RTF ${realTimeFactor.toFixed(3)}, WER ${wer.toFixed(3)}`,
    );
    assert.ok(duration > 60);
    assert.ok(result.chunks >= Math.ceil(duration / 30), `chunks ${result.chunks}`);
    assertOrderedInside(result.words, duration);
    assert.ok(wer <= 0.15, `WER ${wer}: ${result.text}`);
    assert.ok((result.words.at(-1)?.end ?? 0) > duration - 1.5);
    assert.equal(progress.length, result.chunks + 1);
    assert.equal(progress.at(-1), 1);
    assert.ok(progress.every((p, i) => i === 0 || p >= (progress[i - 1] ?? 0)));
  });
});

describe('TTS → STT round trip', () => {
  it('Piper speech transcribed by Whisper has a word error rate of at most 10%', async (t) => {
    const text =
      'Our new studio opens next Monday. Every recording is cleaned, leveled and mastered automatically. ' +
      'Send us your questions before Friday.';
    const speech = await engines.synthesize({ text });
    const { result, realTimeFactor } = await measureRealTimeFactor(speech.durationSeconds, () =>
      engines.transcribe(speech),
    );
    const wer = wordErrorRate(text, result.text);
    t.diagnostic(`${result.text} | WER ${wer.toFixed(3)}, whisper-base RTF ${realTimeFactor.toFixed(3)}`);
    assert.ok(wer <= 0.1, `WER ${wer}: ${result.text}`);
  });
});
