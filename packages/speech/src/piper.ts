import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { phonemizeIpa } from './espeak';
import type { MonoAudio } from './types';

/** The parts of a Piper voice's `.onnx.json` the engine uses. */
interface PiperConfig {
  readonly audio: { readonly sample_rate: number };
  readonly espeak: { readonly voice: string };
  readonly inference: { readonly noise_scale: number; readonly length_scale: number; readonly noise_w: number };
  readonly phoneme_id_map: Record<string, number[]>;
}

function parseConfig(text: string, file: string): PiperConfig {
  const raw: unknown = JSON.parse(text);
  const ok =
    typeof raw === 'object' &&
    raw !== null &&
    'audio' in raw &&
    'espeak' in raw &&
    'inference' in raw &&
    'phoneme_id_map' in raw;
  if (!ok) throw new Error(`${file} is not a Piper voice config`);
  return raw as PiperConfig;
}

/** A loaded Piper voice (VITS, ONNX): espeak-ng IPA phonemes in, 16-bit-range float audio out. */
export class PiperVoice {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly config: PiperConfig,
  ) {}

  static async load(onnxPath: string, configPath: string, threads: number): Promise<PiperVoice> {
    const config = parseConfig(await readFile(configPath, 'utf8'), configPath);
    const session = await ort.InferenceSession.create(onnxPath, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return new PiperVoice(session, config);
  }

  get sampleRate(): number {
    return this.config.audio.sample_rate;
  }

  /**
   * Synthesises one sentence. Each clause is phonemised separately so its punctuation (which
   * espeak drops but the voice was trained with, and which shapes intonation) can be put back.
   */
  async synthesize(sentence: string, speed: number, signal?: AbortSignal): Promise<MonoAudio> {
    const clauses = sentence.match(/[^,;:.!?…]+[,;:.!?…]*/g) ?? [sentence];
    const parts: string[] = [];
    for (const clause of clauses) {
      const punct = /[,;:.!?…]+$/.exec(clause.trim())?.[0] ?? '';
      const body = clause.trim().slice(0, clause.trim().length - punct.length);
      if (!/[\p{L}\p{N}]/u.test(body)) continue;
      const ipa = await phonemizeIpa(body, this.config.espeak.voice, signal);
      parts.push(ipa + (punct.length > 0 ? (punct[0] === '…' ? '.' : punct[0]) : ''));
    }
    const ids = this.phonemeIds(parts.join(' '));
    if (ids.length <= 3) return { samples: new Float32Array(0), sampleRate: this.sampleRate };
    signal?.throwIfAborted();
    const { noise_scale: noiseScale, length_scale: lengthScale, noise_w: noiseW } = this.config.inference;
    const feeds = {
      input: new ort.Tensor(
        'int64',
        BigInt64Array.from(ids, (n) => BigInt(n)),
        [1, ids.length],
      ),
      input_lengths: new ort.Tensor('int64', BigInt64Array.from([BigInt(ids.length)]), [1]),
      // length_scale stretches every phoneme's predicted duration: the model's own speed control.
      scales: new ort.Tensor('float32', Float32Array.from([noiseScale, lengthScale / speed, noiseW]), [3]),
    };
    const result = await this.session.run(feeds);
    const output = result.output;
    if (!output || !(output.data instanceof Float32Array)) throw new Error('Piper voice returned no audio');
    const samples = Float32Array.from(output.data);
    output.dispose();
    return { samples, sampleRate: this.sampleRate };
  }

  /** Piper's id layout: BOS, then every phoneme followed by the pad id, then EOS. */
  private phonemeIds(phonemes: string): number[] {
    const map = this.config.phoneme_id_map;
    const pad = map._ ?? [0];
    const ids: number[] = [...(map['^'] ?? [1]), ...pad];
    // Piper maps NFD code points one by one; anything outside the voice's alphabet is skipped.
    for (const ch of Array.from(phonemes.normalize('NFD'))) {
      const id = map[ch];
      if (id === undefined) continue;
      ids.push(...id, ...pad);
    }
    ids.push(...(map.$ ?? [2]));
    return ids;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
