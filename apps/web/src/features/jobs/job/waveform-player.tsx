import { type Ref, useEffect, useEffectEvent, useImperativeHandle, useRef, useState } from 'react';
import type WaveSurfer from 'wavesurfer.js';

import { Button } from '../../../components/button';
import { formatClock } from '../../../lib/format';

import { sameOriginStorageLink } from '../../../lib/storage-link';

/** What a transcript needs from the player it follows. */
export interface PlayerHandle {
  /** Jumps to `seconds` and plays from there. */
  playFrom(seconds: number): void;
}

interface WaveformPlayerProps {
  /** A signed link; the player fetches it once and plays the fetched bytes (a blob: URL). */
  url: string;
  /** Visible heading of the player, e.g. "Before". */
  title: string;
  /** Completes the button names: "Play the original", "Pause the result". */
  subject: string;
  /** Marks the media element for tests and styles: `data-player`. */
  name: string;
  onTime?: (seconds: number) => void;
  ref?: Ref<PlayerHandle>;
}

type Load = { phase: 'loading' } | { phase: 'ready'; duration: number } | { phase: 'error'; message: string };

/**
 * A waveform with playback (wavesurfer.js, which draws in its own shadow DOM). The <audio> element is ours, in
 * the page, so it is the one media element of this player; the waveform is decoration (clickable to seek), the
 * button is the control. Give it `key={url}` so a new link starts a fresh player.
 */
export function WaveformPlayer({ url, title, subject, name, onTime, ref }: WaveformPlayerProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  const surferRef = useRef<WaveSurfer | null>(null);
  const [load, setLoad] = useState<Load>({ phase: 'loading' });
  const [playing, setPlaying] = useState(false);
  // Whole seconds only: the clock needs no more, and this keeps re-renders to one a second while playing.
  const [second, setSecond] = useState(0);
  const reportTime = useEffectEvent((seconds: number) => {
    setSecond(Math.floor(seconds));
    onTime?.(seconds);
  });

  useEffect(() => {
    const container = containerRef.current;
    const media = audioRef.current;
    if (!container || !media) return;
    let disposed = false;
    let surfer: WaveSurfer | undefined;
    const unsubscribe: Array<() => void> = [];
    // Loaded with the first player: pages without one never download the library.
    import('wavesurfer.js')
      .then(({ default: WaveSurferLibrary }) => {
        if (disposed) return;
        surfer = WaveSurferLibrary.create({
          container,
          media,
          url: sameOriginStorageLink(url),
          height: 64,
          waveColor: '#94a3b8',
          progressColor: '#4f46e5',
          cursorColor: '#1e1b4b',
          barWidth: 2,
          barGap: 1,
          barRadius: 1,
          normalize: true,
          dragToSeek: true,
        });
        surferRef.current = surfer;
        unsubscribe.push(
          surfer.on('ready', (duration) => setLoad({ phase: 'ready', duration })),
          surfer.on('error', (error) => setLoad({ phase: 'error', message: error.message })),
          surfer.on('play', () => setPlaying(true)),
          surfer.on('pause', () => setPlaying(false)),
          surfer.on('finish', () => setPlaying(false)),
          surfer.on('timeupdate', (seconds) => reportTime(seconds)),
        );
      })
      .catch((error: unknown) =>
        setLoad({ phase: 'error', message: error instanceof Error ? error.message : 'the player did not load' }),
      );
    return () => {
      disposed = true;
      for (const off of unsubscribe) off();
      surfer?.destroy();
      surferRef.current = null;
    };
  }, [url]);

  useImperativeHandle(
    ref,
    () => ({
      playFrom(seconds: number) {
        const surfer = surferRef.current;
        if (!surfer) return;
        surfer.setTime(seconds);
        void surfer.play().catch(() => undefined);
      },
    }),
    [],
  );

  const toggle = () => {
    // A refused play() (autoplay policy, a source gone) leaves the button as it was; the error event says why.
    void surferRef.current?.playPause().catch(() => undefined);
  };
  const duration = load.phase === 'ready' ? load.duration : 0;

  return (
    <section className="flex flex-col gap-2 rounded-md border border-slate-200 bg-white p-3" aria-label={title}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="font-semibold">{title}</h3>
        <span className="text-xs text-slate-600 tabular-nums">
          {formatClock(second * 1000)} / {formatClock(duration * 1000)}
        </span>
      </div>
      {/* The waveform repeats what the clock and the button say, so it is hidden from assistive technology. */}
      <div ref={containerRef} aria-hidden="true" className="min-h-16 w-full" />
      {/* Not displayed (no controls); wavesurfer drives it. */}
      <audio ref={audioRef} data-player={name} preload="auto" />
      {load.phase === 'error' ? (
        <p role="alert" className="text-sm text-red-700">
          This audio could not be loaded: {load.message}
        </p>
      ) : null}
      <div>
        <Button variant="secondary" onClick={toggle} disabled={load.phase !== 'ready'}>
          {playing ? 'Pause' : 'Play'}
          <span className="sr-only"> {subject}</span>
        </Button>
        {load.phase === 'loading' ? <span className="ml-3 text-sm text-slate-600">Loading the waveform…</span> : null}
      </div>
    </section>
  );
}
