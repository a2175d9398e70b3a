import type { TranscriptionResult } from './types';

function timestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** Cues at most this long or this many characters read comfortably (common subtitle guidance). */
const MAX_CUE_SECONDS = 7;
const MAX_CUE_CHARS = 84;

interface Cue {
  start: number;
  end: number;
  text: string;
}

/** Builds cues from the words (so long segments are split to readable lengths), else from segments. */
function cues(result: Pick<TranscriptionResult, 'words' | 'segments'>): Cue[] {
  if (result.words.length === 0) return result.segments.map((s) => ({ start: s.start, end: s.end, text: s.text }));
  const out: Cue[] = [];
  let current: Cue | undefined;
  for (const w of result.words) {
    const tooLong =
      current !== undefined &&
      (w.end - current.start > MAX_CUE_SECONDS ||
        current.text.length + 1 + w.word.length > MAX_CUE_CHARS ||
        w.start - current.end > 1.0);
    if (!current || tooLong) {
      if (current) out.push(current);
      current = { start: w.start, end: w.end, text: w.word };
    } else {
      current.end = w.end;
      current.text += ` ${w.word}`;
      // Sentence ends make natural cue breaks.
      if (/[.!?]$/.test(w.word) && current.text.length > 30) {
        out.push(current);
        current = undefined;
      }
    }
  }
  if (current) out.push(current);
  return out;
}

/** SubRip subtitles: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, blank line between cues. */
export function toSrt(result: Pick<TranscriptionResult, 'words' | 'segments'>): string {
  return cues(result)
    .map((c, i) => `${i + 1}\n${timestamp(c.start, ',')} --> ${timestamp(c.end, ',')}\n${c.text}\n`)
    .join('\n');
}

/** WebVTT subtitles: `WEBVTT` header, `HH:MM:SS.mmm --> HH:MM:SS.mmm` cues. */
export function toVtt(result: Pick<TranscriptionResult, 'words' | 'segments'>): string {
  const body = cues(result)
    .map((c) => `${timestamp(c.start, '.')} --> ${timestamp(c.end, '.')}\n${c.text.replace(/-->/g, '->')}\n`)
    .join('\n');
  return `WEBVTT\n\n${body}`;
}
