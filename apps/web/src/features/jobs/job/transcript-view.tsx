import { type KeyboardEvent, memo, useRef, useState } from 'react';

import type { TranscriptWord } from './job-queries';

interface TranscriptViewProps {
  words: readonly TranscriptWord[];
  /** The word being spoken, from currentWordIndex; -1 for none. */
  currentIndex: number;
  onSeek: (seconds: number) => void;
}

/**
 * The transcript as words that follow playback (the spoken one is `aria-current` and highlighted) and seek when
 * chosen. One word is in the tab order at a time (a roving tabindex): Tab enters and leaves the transcript,
 * the arrow keys, Home and End move between words, Enter or Space seeks.
 */
export const TranscriptView = memo(function TranscriptView({ words, currentIndex, onSeek }: TranscriptViewProps) {
  const [focusIndex, setFocusIndex] = useState(0);
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  const tabStop = Math.min(focusIndex, Math.max(0, words.length - 1));

  const move = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const target =
      event.key === 'ArrowRight' || event.key === 'ArrowDown'
        ? index + 1
        : event.key === 'ArrowLeft' || event.key === 'ArrowUp'
          ? index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? words.length - 1
              : undefined;
    if (target === undefined || target < 0 || target >= words.length) return;
    event.preventDefault();
    setFocusIndex(target);
    buttons.current[target]?.focus();
  };

  if (words.length === 0) return <p className="text-sm text-slate-700">No speech was recognised in this recording.</p>;
  return (
    <div className="leading-8" aria-label="Transcript, word by word; choose a word to play from it" role="group">
      {words.map((word, index) => {
        const current = index === currentIndex;
        return (
          <span key={`${index}-${word.start}`}>
            <button
              ref={(element) => {
                buttons.current[index] = element;
              }}
              type="button"
              tabIndex={index === tabStop ? 0 : -1}
              aria-current={current ? 'true' : undefined}
              onClick={() => {
                setFocusIndex(index);
                onSeek(word.start);
              }}
              onKeyDown={(event) => move(event, index)}
              className={`rounded px-0.5 ${current ? 'bg-amber-200 text-slate-950' : 'hover:bg-slate-100'}`}
            >
              {word.word.trim()}
            </button>{' '}
          </span>
        );
      })}
    </div>
  );
});
