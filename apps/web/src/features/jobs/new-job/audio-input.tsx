import { type DragEvent, useCallback, useEffect, useRef, useState } from 'react';

import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { formatClock } from '../../../lib/format';
import { probeDurationMs } from './audio-file';
import { recorderSupported, useRecorder } from './use-recorder';

/** The chosen or recorded file, its preview URL, and its duration once the browser has read it. */
export interface SelectedAudio {
  file: File;
  url: string;
  origin: 'file' | 'recording';
  /** undefined while reading; null when the browser could not read it (the API will say why). */
  durationMs: number | null | undefined;
}

/** The audio of an upload job: one file at a time, its object URL revoked when it is replaced or the page goes. */
export function useAudioSelection() {
  const [selected, setSelected] = useState<SelectedAudio | undefined>();
  const current = useRef<SelectedAudio | undefined>(undefined);

  const replace = useCallback((next: SelectedAudio | undefined) => {
    if (current.current) URL.revokeObjectURL(current.current.url);
    current.current = next;
    setSelected(next);
  }, []);

  useEffect(
    () => () => {
      if (current.current) URL.revokeObjectURL(current.current.url);
    },
    [],
  );

  const choose = useCallback(
    (file: File, origin: SelectedAudio['origin']) => {
      const next: SelectedAudio = { file, url: URL.createObjectURL(file), origin, durationMs: undefined };
      replace(next);
      void probeDurationMs(file).then((durationMs) => {
        if (current.current?.file !== file) return;
        const probed = { ...next, durationMs: durationMs ?? null };
        current.current = probed;
        setSelected(probed);
      });
    },
    [replace],
  );

  const clear = useCallback(() => replace(undefined), [replace]);
  return { selected, choose, clear };
}

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Drop a file, choose one, or record the microphone. The file's error from the API (not audio, too large,
 * unreadable) is shown here, next to the file, in words.
 */
export function AudioInput({
  selected,
  onChoose,
  onClear,
  error,
  disabled,
}: {
  selected: SelectedAudio | undefined;
  onChoose: (file: File, origin: SelectedAudio['origin']) => void;
  onClear: () => void;
  error: unknown;
  disabled: boolean;
}) {
  const [dragging, setDragging] = useState(false);
  const onRecorded = useCallback((file: File) => onChoose(file, 'recording'), [onChoose]);
  const recorder = useRecorder(onRecorded);
  const recording = recorder.state.status === 'recording';
  const canRecord = recorderSupported();

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file && !disabled) onChoose(file, 'file');
  };

  return (
    <div className="flex flex-col gap-3">
      <div
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`flex flex-col gap-3 rounded-lg border-2 border-dashed p-4 ${dragging ? 'border-indigo-500 bg-indigo-50' : 'border-slate-300 bg-white'}`}
      >
        <p className="text-sm text-slate-700">
          Drag and drop an audio file here (WAV, MP3, FLAC, M4A or OGG), choose one, or record from your microphone.
        </p>
        <div className="flex flex-col gap-1">
          <label htmlFor="audio-file" className="text-sm font-medium text-slate-800">
            Audio file
          </label>
          <input
            id="audio-file"
            type="file"
            accept="audio/*,.wav,.mp3,.flac,.m4a,.ogg"
            disabled={disabled || recording}
            aria-describedby={error ? 'audio-file-error' : undefined}
            className="w-full min-w-0 text-sm file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-2 file:font-semibold file:text-slate-800 hover:file:bg-slate-100"
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) onChoose(file, 'file');
              // The same file chosen again after removing it must fire onChange again.
              event.target.value = '';
            }}
          />
        </div>
        {canRecord ? (
          <div className="flex flex-wrap items-center gap-3">
            {recording ? (
              <>
                <p role="status" className="font-mono text-sm text-red-700">
                  <span aria-hidden="true">● </span>Recording {formatClock(recorder.elapsedMs)}
                </p>
                <Button variant="danger" onClick={recorder.stop}>
                  Stop recording
                </Button>
              </>
            ) : (
              <Button
                variant="secondary"
                disabled={disabled || recorder.state.status === 'processing'}
                onClick={() => void recorder.start()}
              >
                {recorder.state.status === 'processing' ? 'Preparing the recording…' : 'Record from microphone'}
              </Button>
            )}
          </div>
        ) : null}
        {recorder.state.status === 'error' ? <ErrorAlert error={new Error(recorder.state.message)} /> : null}
      </div>

      {selected ? (
        <div className="flex flex-col gap-2 rounded-md border border-slate-200 bg-slate-50 p-3">
          <p className="text-sm break-all text-slate-800">
            <span className="font-semibold">{selected.origin === 'recording' ? 'Recording' : 'File'}:</span>{' '}
            {selected.file.name} · {formatSize(selected.file.size)} ·{' '}
            <span data-testid="audio-duration">
              {selected.durationMs === undefined
                ? 'reading its length…'
                : selected.durationMs === null
                  ? 'length unknown'
                  : formatClock(selected.durationMs)}
            </span>
          </p>
          {selected.durationMs === null ? (
            <p className="text-sm text-amber-800">
              This browser cannot read the file, so its cost is known only once it is uploaded.
            </p>
          ) : null}
          <audio controls src={selected.url} className="w-full" aria-label={`Preview of ${selected.file.name}`} />
          <Button variant="secondary" className="self-start" disabled={disabled} onClick={onClear}>
            Remove file
          </Button>
        </div>
      ) : null}
      {error ? (
        <div id="audio-file-error">
          <ErrorAlert error={error} title="This file cannot be used" />
        </div>
      ) : null}
    </div>
  );
}
