import { decodeWav } from '@voice/audio';
import { runTool } from './native-tool';
import type { MonoAudio } from './types';

const ESPEAK = 'espeak-ng';
const APT = 'espeak-ng';

/**
 * IPA phonemes for one clause, as Piper voices were trained on them (espeak-ng's `--ipa` output,
 * stress marks kept). espeak prints one line per clause it finds; they are joined with spaces.
 */
export async function phonemizeIpa(text: string, voice: string, signal?: AbortSignal): Promise<string> {
  // Text goes through stdin so that a leading "-" or long input never reaches the argument parser.
  const { stdout } = await runTool(ESPEAK, ['-q', '--ipa', '-v', voice, '--stdin'], {
    aptPackage: APT,
    stdin: text,
    signal,
  });
  return stdout
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' ');
}

/**
 * Formant synthesis with espeak-ng (classical, many languages). `wordsPerMinute` drives speed
 * natively; espeak's default is 175. Pitch is left at its default and shifted afterwards by the caller.
 */
export async function espeakSynthesize(
  text: string,
  voice: string,
  wordsPerMinute: number,
  signal?: AbortSignal,
): Promise<MonoAudio> {
  const { stdout } = await runTool(
    ESPEAK,
    ['-v', voice, '-s', String(Math.round(wordsPerMinute)), '--stdout', '--stdin'],
    {
      aptPackage: APT,
      stdin: text,
      signal,
    },
  );
  const wav = decodeWav(patchStreamedWavSizes(stdout));
  return { samples: wav.samples, sampleRate: wav.sampleRate };
}

/** espeak-ng writes its WAV to a pipe with placeholder sizes; fix them from the real byte count. */
function patchStreamedWavSizes(buf: Buffer): Buffer {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'RIFF') throw new Error('espeak-ng produced no WAV');
  const out = Buffer.from(buf);
  out.writeUInt32LE(out.length - 8, 4);
  let offset = 12;
  while (offset + 8 <= out.length) {
    const id = out.toString('latin1', offset, offset + 4);
    if (id === 'data') {
      out.writeUInt32LE(out.length - offset - 8, offset + 4);
      break;
    }
    offset += 8 + out.readUInt32LE(offset + 4);
  }
  return out;
}

/** Lists espeak-ng voice identifiers for a language code (e.g. 'es' → ['es', 'es-419']). */
export function espeakVoiceFor(language: string): string {
  const lower = language.toLowerCase();
  // espeak-ng names American English en-us; plain "en" is British.
  if (lower === 'en') return 'en-us';
  return lower;
}
