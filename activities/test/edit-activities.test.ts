import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { decodeWav, encodeWav, resample } from '@voice/audio';
import { jobStorageKeys } from '@voice/shared';
import { SpeechEngines } from '@voice/speech';
import type { LocalStorage } from '@voice/storage';
import { testLocalStorage, toneFraction } from '@voice/testkit';
import { findWordRanges, type TimedWord } from '@voice/voice-dsp';
import { createMediaActivities, type MediaActivities } from '../src';

const RATE = 48_000;
const GAP_SECONDS = 0.06;
/** How early the transcript times every word: Whisper's times were this far off on flite's slt voice. */
const TRANSCRIPT_SKEW_SECONDS = 0.12;

const inActivity = <R>(work: () => Promise<R>): Promise<R> => new MockActivityEnvironment().run(work) as Promise<R>;

/** Drops leading and trailing samples quieter than -50 dBFS, so a word's edges are where its sound is. */
function trimmed(x: Float32Array): Float32Array {
  const floor = 10 ** (-50 / 20);
  let a = 0;
  let b = x.length;
  while (a < b && Math.abs(x[a]!) < floor) a++;
  while (b > a && Math.abs(x[b - 1]!) < floor) b--;
  return x.slice(a, b);
}

describe('applyEdits mute_word', () => {
  let root: string;
  let storage: LocalStorage;
  let activities: MediaActivities;
  const engines = new SpeechEngines();

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'edit-activities-'));
    storage = testLocalStorage(path.join(root, 'storage'));
    activities = createMediaActivities({ storage, workDir: path.join(root, 'work') });
  });
  after(async () => {
    await engines.unloadAll();
    await rm(root, { recursive: true, force: true });
  });

  /** Words spoken one at a time with short gaps (flite, slt), so where each one sounds is known to the sample. */
  async function separateWords(spoken: readonly string[]): Promise<{ audio: Float32Array; truth: TimedWord[] }> {
    const parts: Float32Array[] = [new Float32Array(Math.round(0.3 * RATE))];
    const truth: TimedWord[] = [];
    let at = parts[0]!.length;
    for (const word of spoken) {
      const voiced = await engines.synthesize({ text: word, modelId: 'flite', voiceId: 'slt' });
      const samples = trimmed(resample(voiced.samples, voiced.sampleRate, RATE));
      truth.push({ word, start: at / RATE, end: (at + samples.length) / RATE });
      parts.push(samples, new Float32Array(Math.round(GAP_SECONDS * RATE)));
      at += samples.length + Math.round(GAP_SECONDS * RATE);
    }
    parts.push(new Float32Array(Math.round(0.3 * RATE)));
    const audio = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      audio.set(p, offset);
      offset += p.length;
    }
    return { audio, truth };
  }

  /** Runs mute_word "fox" over `audio` with `words` as the transcript; returns the edited samples. */
  async function bleepFox(jobId: string, audio: Float32Array, words: readonly TimedWord[]): Promise<Float32Array> {
    const inputKey = jobStorageKeys(jobId).step(0, 'denoise');
    const transcriptKey = `${jobStorageKeys(jobId).root}/transcript-01.json`;
    await storage.putBuffer(inputKey, encodeWav(audio, RATE, { format: 'float32' }), 'audio/wav');
    await storage.putBuffer(transcriptKey, Buffer.from(JSON.stringify({ language: 'en', words })), 'application/json');
    const report = await inActivity(() =>
      activities.applyEdits({
        jobId,
        stepIndex: 1,
        inputKey,
        operations: [{ type: 'mute_word', word: 'fox', mode: 'bleep' }],
        transcriptKey,
      }),
    );
    assert.deepEqual(report.applied, [{ type: 'mute_word', detail: '1 occurrence(s) of "fox" bleeped' }]);
    const out = decodeWav(await storage.getBuffer(report.outputKey)).samples;
    assert.equal(out.length, audio.length, 'muting keeps the length');
    return out;
  }

  function assertBleepedOnly(out: Float32Array, audio: Float32Array, truth: readonly TimedWord[]): void {
    const untouched = (w: TimedWord): boolean => {
      for (let i = Math.round(w.start * RATE); i < Math.round(w.end * RATE); i++) if (out[i] !== audio[i]) return false;
      return true;
    };
    for (const w of truth)
      if (w.word !== 'fox') assert.ok(untouched(w), `"${w.word}" is sample for sample the original`);
    // All of "fox" is tone, to within 10 ms of each edge (its fades, and frame-sized alignment).
    const fox = truth.find((w) => w.word === 'fox')!;
    const from = Math.round((fox.start + 0.01) * RATE);
    const to = Math.round((fox.end - 0.01) * RATE);
    assert.ok(toneFraction(out, RATE, 1000, from, to) > 0.95, 'the whole of "fox" is a 1 kHz bleep');
  }

  const SENTENCE = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'the', 'dog'];

  it('bleeps the word where it is said though the transcript times it 120 ms early, and leaves its neighbours whole', async () => {
    const { audio, truth } = await separateWords(SENTENCE);
    // Contiguous and early, the way Whisper's word times come out.
    const words = truth.map((w, i) => ({
      word: ` ${w.word}`,
      start: w.start - TRANSCRIPT_SKEW_SECONDS,
      end: (truth[i + 1]?.start ?? w.end) - TRANSCRIPT_SKEW_SECONDS,
    }));
    const [naive] = findWordRanges(words, 'fox');
    assert.ok(naive && naive.start < truth[2]!.end - 0.05, 'from the transcript alone, the bleep would clip "brown"');
    assertBleepedOnly(await bleepFox('job-mute-skewed', audio, words), audio, truth);
  });

  it('keeps the transcript times, snapped to the quiet between words, when a nearby word cannot be aligned', async () => {
    const { audio, truth } = await separateWords(SENTENCE);
    // "jumps" misspelt as nothing in the dictionary: the aligner refuses, and good transcript times remain.
    const words = truth.map((w) => ({ ...w, word: w.word === 'jumps' ? 'jxmpsz' : w.word }));
    assertBleepedOnly(await bleepFox('job-mute-unalignable', audio, words), audio, truth);
  });
});
