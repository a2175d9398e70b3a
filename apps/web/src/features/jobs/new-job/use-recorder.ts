import { useCallback, useEffect, useRef, useState } from 'react';

import { recordingToWav } from '../../../lib/wav';

/** The recorder's usual rate: a job's input keeps everything the microphone gave. */
const RECORDING_RATE = 48_000;

export type RecorderState =
  | { status: 'idle' }
  | { status: 'recording'; startedAt: number }
  | { status: 'processing' }
  | { status: 'error'; message: string };

export function recorderSupported(): boolean {
  return typeof MediaRecorder !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/** The elapsed-time display ticks this often; a second display needs no finer. */
const TICK_MS = 250;

/**
 * Records the microphone with MediaRecorder and hands over a WAV file when stopped. The stream's tracks are
 * stopped with the recording (and on unmount), so the browser's "recording" indicator goes away.
 */
export function useRecorder(onRecorded: (file: File) => void) {
  const [state, setState] = useState<RecorderState>({ status: 'idle' });
  const [now, setNow] = useState(() => Date.now());
  const recorder = useRef<MediaRecorder | undefined>(undefined);
  const stream = useRef<MediaStream | undefined>(undefined);
  const deliver = useRef(onRecorded);
  useEffect(() => {
    deliver.current = onRecorded;
  }, [onRecorded]);

  const release = useCallback(() => {
    for (const track of stream.current?.getTracks() ?? []) track.stop();
    stream.current = undefined;
    recorder.current = undefined;
  }, []);

  useEffect(() => {
    if (state.status !== 'recording') return;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [state.status]);

  // A recording stopped by leaving the page is dropped, not delivered to a page that is gone.
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      if (recorder.current?.state === 'recording') recorder.current.stop();
      release();
    };
  }, [release]);

  const start = useCallback(async () => {
    try {
      const media = await navigator.mediaDevices.getUserMedia({ audio: true });
      stream.current = media;
      const chunks: Blob[] = [];
      const started = new MediaRecorder(media);
      started.ondataavailable = (event) => {
        if (event.data.size > 0) chunks.push(event.data);
      };
      started.onstop = () => {
        release();
        if (!alive.current) return;
        setState({ status: 'processing' });
        const recording = new Blob(chunks, { type: started.mimeType });
        recordingToWav(recording, RECORDING_RATE)
          .then((wav) => {
            deliver.current(
              new File([wav], `recording-${new Date().toISOString().slice(0, 19)}.wav`, { type: 'audio/wav' }),
            );
            setState({ status: 'idle' });
          })
          .catch(() => setState({ status: 'error', message: 'The recording could not be processed. Try again.' }));
      };
      recorder.current = started;
      started.start();
      const startedAt = Date.now();
      setNow(startedAt);
      setState({ status: 'recording', startedAt });
    } catch (error) {
      release();
      const denied = error instanceof DOMException && error.name === 'NotAllowedError';
      setState({
        status: 'error',
        message: denied
          ? 'The browser was not allowed to use the microphone. Allow it in the site settings and try again.'
          : 'No microphone could be opened.',
      });
    }
  }, [release]);

  const stop = useCallback(() => {
    if (recorder.current?.state === 'recording') recorder.current.stop();
  }, []);

  const elapsedMs = state.status === 'recording' ? Math.max(0, now - state.startedAt) : 0;
  return { state, elapsedMs, start, stop };
}
