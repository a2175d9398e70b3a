import { encodeWav } from '@voice/audio';

/**
 * A speech-like sample made here, not downloaded: a glottal-like harmonic series (f0 gliding around `f0Hz`)
 * under a ~4 Hz syllable envelope with short pauses, so voice analysis finds voiced, active frames. Mono
 * unless `channels` is 2 (the right channel is the left one slightly attenuated).
 */
export function voicedSamples(seconds: number, sampleRate = 16_000, f0Hz = 120): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / sampleRate;
    const f0 = f0Hz * (1 + 0.08 * Math.sin(2 * Math.PI * 0.7 * t));
    phase += (2 * Math.PI * f0) / sampleRate;
    let voiced = 0;
    for (let h = 1; h <= 12; h++) voiced += Math.sin(h * phase) / h;
    // Syllables at ~4 Hz, and every 2 s a 300 ms pause, as between phrases.
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t)) ** 2;
    const pause = t % 2 > 1.7 ? 0 : 1;
    out[i] = 0.25 * voiced * syllable * pause;
  }
  return out;
}

export function voicedWav(seconds: number, options: { sampleRate?: number; f0Hz?: number; channels?: 1 | 2 } = {}) {
  const rate = options.sampleRate ?? 16_000;
  const mono = voicedSamples(seconds, rate, options.f0Hz);
  if ((options.channels ?? 1) === 1) return encodeWav(mono, rate, { format: 'pcm16' });
  return encodeStereoPcm16(mono, rate);
}

/** encodeWav writes mono only; a two-channel file checks the thread's mix-down. */
function encodeStereoPcm16(mono: Float32Array, sampleRate: number): Buffer {
  const data = mono.length * 4;
  const buf = Buffer.alloc(44 + data);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + data, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(2, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 4, 28);
  buf.writeUInt16LE(4, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(data, 40);
  const pcm = (x: number) => Math.max(-32768, Math.min(32767, Math.round(x * 32767)));
  for (let i = 0; i < mono.length; i++) {
    const x = mono[i] ?? 0;
    buf.writeInt16LE(pcm(x), 44 + i * 4);
    buf.writeInt16LE(pcm(x * 0.8), 46 + i * 4);
  }
  return buf;
}
