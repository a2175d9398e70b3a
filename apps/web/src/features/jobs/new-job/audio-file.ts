/**
 * What the browser can learn about an audio file before it is uploaded: its duration (for the cost estimate
 * and the balance check), and a WAV encoding of a microphone recording (the API takes WAV, MP3, FLAC, M4A and
 * OGG; MediaRecorder writes WebM in Chromium).
 */

/** How much of a WAV to read looking for its `data` chunk (metadata chunks come before it). */
const WAV_HEADER_SCAN_BYTES = 1024 * 1024;
/** An `<audio>` element that reports nothing by then has a file it cannot read. */
const METADATA_TIMEOUT_MS = 10_000;

function readBytes(blob: Blob): Promise<ArrayBuffer> {
  // Blob.arrayBuffer is everywhere the app runs; FileReader covers older engines (and jsdom).
  if (typeof blob.arrayBuffer === 'function') return blob.arrayBuffer();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsArrayBuffer(blob);
  });
}

/**
 * A WAV's duration from its header (`fmt ` byte rate and `data` size), exact and without decoding; undefined
 * when the file is not a RIFF/WAVE. A header that claims more data than the file holds (a stream whose size was
 * never written) is measured by what is there.
 */
export async function wavDurationMs(file: Blob): Promise<number | undefined> {
  const view = new DataView(await readBytes(file.slice(0, WAV_HEADER_SCAN_BYTES)));
  const tag = (offset: number) =>
    String.fromCharCode(
      view.getUint8(offset),
      view.getUint8(offset + 1),
      view.getUint8(offset + 2),
      view.getUint8(offset + 3),
    );
  if (view.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return undefined;
  let byteRate: number | undefined;
  let offset = 12;
  while (offset + 8 <= view.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ' && offset + 16 <= view.byteLength) byteRate = view.getUint32(offset + 16, true);
    if (id === 'data') {
      if (!byteRate) return undefined;
      const available = file.size - (offset + 8);
      return (Math.min(size, available) / byteRate) * 1000;
    }
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

/** The duration an `<audio>` element reads from the file's metadata; undefined if it cannot play it. */
function mediaDurationMs(file: Blob): Promise<number | undefined> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const audio = document.createElement('audio');
    const finish = (value: number | undefined) => {
      clearTimeout(timer);
      audio.removeAttribute('src');
      URL.revokeObjectURL(url);
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), METADATA_TIMEOUT_MS);
    audio.preload = 'metadata';
    audio.onloadedmetadata = () => finish(Number.isFinite(audio.duration) ? audio.duration * 1000 : undefined);
    audio.onerror = () => finish(undefined);
    audio.src = url;
  });
}

/** The file's duration in ms, read in the browser; undefined when the browser cannot tell (the API decides). */
export async function probeDurationMs(file: Blob): Promise<number | undefined> {
  try {
    return (await wavDurationMs(file)) ?? (await mediaDurationMs(file));
  } catch {
    return undefined;
  }
}
