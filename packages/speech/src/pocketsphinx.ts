import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeWav } from '@voice/audio';
import { runTool } from './native-tool';
import { SpeechEngineUnavailableError, SpeechRequestError, type TranscribedWord } from './types';

const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const DICTIONARY = path.join(MODEL_DIR, 'cmudict-en-us.dict');

/** Fillers and markers pocketsphinx prints that are not words. */
const NON_WORDS = /^(<s>|<\/s>|<sil>|\[.*\]|\+\+.*\+\+)$/;

function assertModel(): void {
  if (!existsSync(path.join(MODEL_DIR, 'en-us', 'mdef'))) {
    throw new SpeechEngineUnavailableError(
      'PocketSphinx en-us model is missing; install the Debian package: apt-get install pocketsphinx-en-us',
    );
  }
}

/** `word start end posterior` lines, the format `-time yes` prints; fillers and silences are dropped. */
function parseTimedWords(stdout: Buffer): TranscribedWord[] {
  const words: TranscribedWord[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    const m = /^(\S+) (\d+\.\d+) (\d+\.\d+) (\d+\.\d+)$/.exec(line.trim());
    if (!m?.[1] || NON_WORDS.test(m[1])) continue;
    words.push({
      word: m[1].replace(/\(\d+\)$/, ''),
      start: Number(m[2]),
      end: Number(m[3]),
      confidence: Math.min(1, Math.max(0, Number(m[4]))),
    });
  }
  return words;
}

/** How a transcript word is spelt in CMUdict: lower case, letters, digits and apostrophes only. */
export function dictionarySpelling(word: string): string {
  return word
    .normalize('NFKC')
    .toLocaleLowerCase('en-US')
    .replace(/[\u2018\u2019]/gu, "'")
    .replace(/[^\p{L}\p{N}']/gu, '')
    .replace(/^'+|'+$/gu, '');
}

/**
 * Forced alignment: where each of `words` (known to be spoken, in this order) sits in `samples` (16 kHz mono).
 * PocketSphinx's US-English acoustic model searches a grammar that allows exactly this word sequence, with
 * optional silence between words, on 10 ms frames: its edges follow the sounds, where Whisper's word times come
 * from attention weights and can be a phoneme or two off. Returns one entry per word in order, or [] when the
 * search found no path through the audio. Throws SpeechRequestError for a word outside its dictionary (names,
 * digits) and SpeechEngineUnavailableError when PocketSphinx is not installed.
 */
export async function pocketsphinxAlign(
  samples: Float32Array,
  words: readonly string[],
  signal?: AbortSignal,
): Promise<TranscribedWord[]> {
  assertModel();
  const spelt = words.map(dictionarySpelling);
  if (spelt.length === 0) return [];
  const unspellable = words.find((_, i) => spelt[i]!.length === 0);
  if (unspellable !== undefined) throw new SpeechRequestError(`"${unspellable}" has no letters to align`);
  const dir = await mkdtemp(path.join(tmpdir(), 'pocketsphinx-align-'));
  try {
    const wav = path.join(dir, 'clip.wav');
    const grammar = path.join(dir, 'words.jsgf');
    await writeFile(wav, encodeWav(samples, 16000));
    await writeFile(grammar, `#JSGF V1.0;\ngrammar words;\npublic <words> = ${spelt.join(' ')};\n`);
    let stdout: Buffer;
    try {
      ({ stdout } = await runTool(
        'pocketsphinx_continuous',
        [
          ...['-infile', wav, '-time', 'yes', '-logfn', '/dev/null'],
          ...['-hmm', path.join(MODEL_DIR, 'en-us'), '-jsgf', grammar, '-dict', DICTIONARY],
          // One utterance, every frame: its VAD would otherwise split the clip at a pause and drop silent frames,
          // and each piece alone cannot match the whole word sequence.
          ...['-remove_silence', 'no', '-vad_postspeech', '100000'],
        ],
        { aptPackage: 'pocketsphinx', signal },
      ));
    } catch (error) {
      signal?.throwIfAborted();
      // It exits 1 when the grammar holds a word its dictionary lacks; say which, so a caller can fall back.
      const missing = error instanceof SpeechEngineUnavailableError ? [] : await missingFromDictionary(spelt);
      if (missing.length > 0) throw new SpeechRequestError(`not in the PocketSphinx dictionary: ${missing.join(', ')}`);
      throw error;
    }
    const aligned = parseTimedWords(stdout);
    if (aligned.length !== spelt.length || aligned.some((w, i) => w.word !== spelt[i])) return [];
    return aligned.map((w, i) => ({ ...w, word: words[i]! }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The words CMUdict lacks (reads the 3 MB dictionary; only on a failed alignment). */
async function missingFromDictionary(spelt: readonly string[]): Promise<string[]> {
  const wanted = new Set(spelt);
  for (const line of (await readFile(DICTIONARY, 'utf8')).split('\n')) {
    const entry = line.slice(0, line.indexOf(' '));
    wanted.delete(entry);
    if (wanted.size === 0) break;
  }
  return [...wanted];
}

/**
 * Recognises one chunk (16 kHz mono) with `pocketsphinx_continuous -time yes`, which prints the
 * hypothesis and then one `word start end posterior` line per token. Alternate pronunciations
 * ("the(2)") are folded into the word.
 */
export async function pocketsphinxRecognize(samples: Float32Array, signal?: AbortSignal): Promise<TranscribedWord[]> {
  assertModel();
  const dir = await mkdtemp(path.join(tmpdir(), 'pocketsphinx-'));
  try {
    const wav = path.join(dir, 'chunk.wav');
    await writeFile(wav, encodeWav(samples, 16000));
    const { stdout } = await runTool(
      'pocketsphinx_continuous',
      [
        '-infile',
        wav,
        '-time',
        'yes',
        '-logfn',
        '/dev/null',
        '-hmm',
        path.join(MODEL_DIR, 'en-us'),
        '-lm',
        path.join(MODEL_DIR, 'en-us.lm.bin'),
        '-dict',
        DICTIONARY,
      ],
      { aptPackage: 'pocketsphinx', signal },
    );
    return parseTimedWords(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
