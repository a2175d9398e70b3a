/**
 * Where a job's audio lives. Keys are deterministic so a retried activity overwrites its own
 * earlier attempt instead of leaving orphans.
 */
export function jobStorageKeys(jobId: string) {
  const root = `jobs/${jobId}`;
  return {
    root,
    input: (extension: string) => `${root}/input.${extension}`,
    preprocessed: `${root}/work/00-preprocess.wav`,
    step: (index: number, op: string) => `${root}/work/${String(index).padStart(2, '0')}-${op}.wav`,
    output: `${root}/output.wav`,
    /** A streamed TTS job's sentences as they are spoken (STREAM_PART_FORMAT), then the end marker. */
    streamPart: (index: number) => `${root}/stream/${String(index).padStart(5, '0')}.pcm`,
    streamEnd: `${root}/stream/end.json`,
  };
}

/**
 * The parts of a streamed TTS job: raw 16-bit little-endian mono PCM at 24 kHz (OpenAI's `pcm`, so the /v1 API can
 * pass them through untouched). The end marker is JSON `{ parts }`, written after the last part.
 */
export const STREAM_PART_FORMAT = { sampleRate: 24_000, bitsPerSample: 16, channels: 1 } as const;
export interface StreamEnd {
  parts: number;
}
