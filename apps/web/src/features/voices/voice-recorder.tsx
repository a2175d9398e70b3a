import { useEffect, useRef, useState } from 'react';

import { Button } from '../../components/button';
import { formatClock } from '../../lib/format';
import { recordingToWav } from '../../lib/wav';

/** The analysis runs at 16 kHz; 24 kHz keeps a voice sample's full speech band at half the size of 48 kHz. */
const RECORDING_RATE = 24_000;

/** The API's default sample cap (VOICE_SAMPLE_MAX_SECONDS); recording stops itself there. */
const MAX_RECORDING_SECONDS = 300;

type RecorderState =
  | { status: 'idle' }
  | { status: 'starting' }
  | { status: 'recording'; elapsedMs: number }
  | { status: 'converting' }
  | { status: 'failed'; message: string };

interface Session {
  stream: MediaStream;
  recorder: MediaRecorder;
  chunks: Blob[];
  timer: number;
}

export function recordingSupported(): boolean {
  return typeof MediaRecorder !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

function microphoneProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return 'Microphone access was refused. Allow it in your browser’s site settings, or upload a file instead.';
  }
  if (name === 'NotFoundError') return 'No microphone was found. Connect one, or upload a file instead.';
  if (name === 'NotReadableError') return 'The microphone is in use by another application.';
  return `The microphone could not be started: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Records from the microphone with MediaRecorder, showing the elapsed time, and hands back a WAV file (the
 * browser's WebM/Opus is converted here; the API reads WAV directly).
 */
export function VoiceRecorder({ onRecorded }: { onRecorded: (file: File) => void }) {
  const [state, setState] = useState<RecorderState>({ status: 'idle' });
  const session = useRef<Session | undefined>(undefined);

  // Leaving the page mid-recording releases the microphone (its indicator goes off).
  useEffect(
    () => () => {
      const current = session.current;
      if (!current) return;
      window.clearInterval(current.timer);
      current.recorder.onstop = null;
      if (current.recorder.state !== 'inactive') current.recorder.stop();
      for (const track of current.stream.getTracks()) track.stop();
    },
    [],
  );

  const stop = () => session.current?.recorder.stop();

  const start = async () => {
    setState({ status: 'starting' });
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      setState({ status: 'failed', message: microphoneProblem(error) });
      return;
    }
    const recorder = new MediaRecorder(stream);
    const startedAt = performance.now();
    const timer = window.setInterval(() => {
      const elapsedMs = performance.now() - startedAt;
      setState({ status: 'recording', elapsedMs });
      if (elapsedMs >= MAX_RECORDING_SECONDS * 1000) stop();
    }, 250);
    const current: Session = { stream, recorder, chunks: [], timer };
    session.current = current;
    recorder.ondataavailable = (event) => {
      if (event.data.size > 0) current.chunks.push(event.data);
    };
    recorder.onstop = () => {
      window.clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
      session.current = undefined;
      setState({ status: 'converting' });
      recordingToWav(new Blob(current.chunks, { type: recorder.mimeType }), RECORDING_RATE)
        .then((file) => {
          setState({ status: 'idle' });
          onRecorded(file);
        })
        .catch((error: unknown) =>
          setState({
            status: 'failed',
            message: `The recording could not be read: ${error instanceof Error ? error.message : String(error)}`,
          }),
        );
    };
    recorder.start();
    setState({ status: 'recording', elapsedMs: 0 });
  };

  if (!recordingSupported()) {
    return (
      <p className="text-sm text-slate-700">
        This browser cannot record here (recording needs a secure connection and MediaRecorder). Upload a file instead.
      </p>
    );
  }

  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm text-slate-600">
        Speak naturally for 10 to 30 seconds in a quiet room. At least 1 second, at most 5 minutes.
      </p>
      <div className="flex flex-wrap items-center gap-3">
        {state.status === 'recording' ? (
          <>
            <Button variant="danger" onClick={stop}>
              Stop recording
            </Button>
            <p role="timer" aria-label="Recording time" className="flex items-center gap-2 font-mono text-lg">
              <span aria-hidden="true" className="inline-block h-3 w-3 animate-pulse rounded-full bg-red-600" />
              {formatClock(state.elapsedMs)}
            </p>
          </>
        ) : (
          <Button
            variant="secondary"
            disabled={state.status === 'starting' || state.status === 'converting'}
            onClick={() => void start()}
          >
            {state.status === 'converting' ? 'Preparing the recording…' : 'Start recording'}
          </Button>
        )}
      </div>
      {state.status === 'failed' ? (
        <p role="alert" className="text-sm text-red-700">
          {state.message}
        </p>
      ) : null}
    </div>
  );
}
