import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeWav } from '@voice/audio';
import { runTool } from './native-tool';
import { SpeechEngineUnavailableError, type TranscribedWord } from './types';

const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** Fillers and markers pocketsphinx prints that are not words. */
const NON_WORDS = /^(<s>|<\/s>|<sil>|\[.*\]|\+\+.*\+\+)$/;

/**
 * Recognises one chunk (16 kHz mono) with `pocketsphinx_continuous -time yes`, which prints the
 * hypothesis and then one `word start end posterior` line per token. Alternate pronunciations
 * ("the(2)") are folded into the word.
 */
export async function pocketsphinxRecognize(samples: Float32Array, signal?: AbortSignal): Promise<TranscribedWord[]> {
  if (!existsSync(path.join(MODEL_DIR, 'en-us', 'mdef'))) {
    throw new SpeechEngineUnavailableError(
      'PocketSphinx en-us model is missing; install the Debian package: apt-get install pocketsphinx-en-us',
    );
  }
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
        path.join(MODEL_DIR, 'cmudict-en-us.dict'),
      ],
      { aptPackage: 'pocketsphinx', signal },
    );
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
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
