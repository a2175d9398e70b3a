/**
 * Mono 16-bit PCM WAV from one or more channels (averaged). Browsers record WebM/Opus, which the API does not
 * take; WAV it reads without even spawning ffmpeg.
 */
export function encodeWavPcm16(channels: readonly Float32Array[], sampleRate: number): ArrayBuffer {
  const length = Math.min(...channels.map((channel) => channel.length));
  const dataBytes = length * 2;
  const buffer = new ArrayBuffer(44 + dataBytes);
  const view = new DataView(buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const channel of channels) sum += channel[i]!;
    const x = Math.max(-1, Math.min(1, sum / channels.length));
    view.setInt16(44 + i * 2, Math.round(x < 0 ? x * 32768 : x * 32767), true);
  }
  return buffer;
}

/**
 * Decodes a MediaRecorder recording (any format the browser plays) and re-encodes it as a mono WAV file at
 * `sampleRate`. An OfflineAudioContext decodes (and resamples to its rate) without an audio device or a gesture.
 */
export async function recordingToWav(recording: Blob, sampleRate: number, name = 'recording.wav'): Promise<File> {
  const context = new OfflineAudioContext(1, 1, sampleRate);
  const audio = await context.decodeAudioData(await recording.arrayBuffer());
  const channels = Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
  return new File([encodeWavPcm16(channels, audio.sampleRate)], name, { type: 'audio/wav' });
}
