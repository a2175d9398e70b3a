import type { InstalledModel, ModelTask } from './use-models';

/** Each task's heading and what it is used for; a Record over the API's tasks, so a new task needs its words. */
export const TASKS: Record<ModelTask, { title: string; description: string }> = {
  denoise: { title: 'Noise reduction', description: 'Removes background noise (the denoise step).' },
  stt: { title: 'Speech to text', description: 'Transcribes speech, with word timings (the stt step).' },
  tts: { title: 'Text to speech', description: 'Reads text aloud in one of the voices listed.' },
  'voice-conversion': {
    title: 'Voice conversion',
    description: 'Makes a recording sound like another voice (voice clone, accent change).',
  },
  translate: { title: 'Translation', description: 'Translates transcripts for dubbing.' },
  music: { title: 'Music', description: 'Generates music and mood beds.' },
  sfx: { title: 'Sound effects', description: 'Generates sound effects from a description.' },
  vad: { title: 'Voice activity detection', description: 'Finds speech, so transcription skips silence.' },
};

/** The order tasks are shown in: what creators use most first. */
export const TASK_ORDER = Object.keys(TASKS) as ModelTask[];

export const KIND_LABELS: Record<InstalledModel['kind'], string> = {
  neural: 'Neural',
  classical: 'Classical',
};

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

/** "English (en)"; `*` means the model does not depend on language. */
export function languageName(code: string): string {
  if (code === '*') return 'Any language';
  try {
    const name = languageNames.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    // Not a well-formed BCP-47 tag: show it as the API gave it.
    return code;
  }
}

/** A long list (espeak-ng has a hundred languages and voices) shows its first few and folds the rest. */
export function splitForDisplay<T>(items: readonly T[], shown = 6): { visible: T[]; folded: T[] } {
  // Folding a single item saves nothing.
  if (items.length <= shown + 1) return { visible: [...items], folded: [] };
  return { visible: items.slice(0, shown), folded: items.slice(shown) };
}
