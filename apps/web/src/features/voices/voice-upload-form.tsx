import { type DragEvent, type FormEvent, useEffect, useId, useRef, useState } from 'react';

import { ApiError } from '../../api/client';
import { Button } from '../../components/button';
import { FormField } from '../../components/form-field';
import type { UploadedVoice } from './upload-voice';
import { describeUploadError, useUploadVoice } from './voice-queries';
import { recordingSupported, VoiceRecorder } from './voice-recorder';

type Source = 'file' | 'recording';

interface ChosenAudio {
  file: File;
  /** Object URL for the preview player; revoked when replaced or unmounted. */
  url: string;
  source: Source;
}

function sizeText(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The sample, kept with its preview URL so the URL's lifetime follows the file's. */
function useChosenAudio() {
  const [audio, setAudio] = useState<ChosenAudio>();
  const current = useRef<ChosenAudio | undefined>(undefined);
  useEffect(
    () => () => {
      if (current.current) URL.revokeObjectURL(current.current.url);
    },
    [],
  );
  const choose = (file: File | undefined, source: Source) => {
    if (current.current) URL.revokeObjectURL(current.current.url);
    const next = file ? { file, url: URL.createObjectURL(file), source } : undefined;
    current.current = next;
    setAudio(next);
  };
  return [audio, choose] as const;
}

/** Name, description, visibility and a sample (a file, dropped or chosen, or a recording), uploaded with progress. */
export function VoiceUploadForm({ onUploaded }: { onUploaded: (voice: UploadedVoice) => void }) {
  const upload = useUploadVoice();
  const [source, setSource] = useState<Source>('file');
  const [audio, chooseAudio] = useChosenAudio();
  const [dragging, setDragging] = useState(false);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const ids = { description: useId(), file: useId(), audioError: useId(), progress: useId() };

  const apiFieldErrors = upload.error instanceof ApiError ? upload.error.fieldErrors() : {};
  const fieldErrors = { ...apiFieldErrors, ...localErrors };
  const formError = upload.error && Object.keys(apiFieldErrors).length === 0 ? upload.error : undefined;
  const busy = upload.isPending;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const errors: Record<string, string> = {};
    if (!name) errors['name'] = 'Give the voice a name.';
    if (!audio) errors['audio_file'] = source === 'file' ? 'Choose an audio file.' : 'Record a sample first.';
    setLocalErrors(errors);
    if (!audio || Object.keys(errors).length > 0) return;
    upload.mutate(
      {
        name,
        description: String(form.get('description') ?? ''),
        isPublic: form.get('visibility') === 'public',
        audio: audio.file,
      },
      { onSuccess: onUploaded },
    );
  };

  const drop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) chooseAudio(file, 'file');
  };

  const switchSource = (next: Source) => {
    setSource(next);
    if (audio && audio.source !== next) chooseAudio(undefined, next);
  };

  const progress = upload.progress;
  return (
    <form className="flex flex-col gap-4" noValidate onSubmit={submit} aria-label="Add a voice">
      <FormField label="Name" name="name" maxLength={100} required error={fieldErrors['name']} />
      <div className="flex flex-col gap-1">
        <label htmlFor={ids.description} className="text-sm font-medium text-slate-800">
          Description <span className="font-normal text-slate-600">(optional)</span>
        </label>
        <textarea
          id={ids.description}
          name="description"
          maxLength={1000}
          rows={2}
          aria-invalid={fieldErrors['description'] ? true : undefined}
          className="rounded-md border border-slate-300 px-3 py-2 text-base"
        />
        {fieldErrors['description'] ? <p className="text-sm text-red-700">{fieldErrors['description']}</p> : null}
      </div>

      <fieldset className="flex flex-col gap-1">
        <legend className="text-sm font-medium text-slate-800">Who can use it</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="visibility" value="private" defaultChecked /> Private: only you
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="visibility" value="public" /> Public: anyone on this platform can find and use it
        </label>
      </fieldset>

      <fieldset className="flex flex-col gap-2">
        <legend className="text-sm font-medium text-slate-800">Sample</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1">
          <label className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name="sample-source"
              checked={source === 'file'}
              onChange={() => switchSource('file')}
            />{' '}
            Upload a file
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name="sample-source"
              checked={source === 'recording'}
              disabled={!recordingSupported()}
              onChange={() => switchSource('recording')}
            />{' '}
            Record with the microphone
          </label>
        </div>

        {source === 'file' ? (
          <div
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={drop}
            className={`flex flex-col items-center gap-1 rounded-md border-2 border-dashed p-4 text-center has-[input:focus-visible]:outline-3 has-[input:focus-visible]:outline-indigo-600 ${dragging ? 'border-indigo-600 bg-indigo-50' : 'border-slate-300'}`}
          >
            <input
              id={ids.file}
              type="file"
              accept="audio/*,.wav,.mp3,.flac,.m4a,.ogg"
              className="sr-only"
              aria-describedby={fieldErrors['audio_file'] ? ids.audioError : undefined}
              onChange={(event) => {
                const file = event.currentTarget.files?.[0];
                if (file) chooseAudio(file, 'file');
              }}
            />
            <label htmlFor={ids.file} className="cursor-pointer text-sm text-slate-800">
              Drop an audio file here, or <span className="font-semibold text-indigo-700 underline">choose a file</span>
            </label>
            <p className="text-xs text-slate-600">WAV, MP3, FLAC, M4A or OGG, between 1 second and 5 minutes.</p>
          </div>
        ) : (
          <VoiceRecorder onRecorded={(file) => chooseAudio(file, 'recording')} />
        )}

        {audio ? (
          <div className="flex flex-col gap-1 rounded-md bg-slate-50 p-2">
            <p className="text-sm text-slate-800">
              {audio.source === 'recording' ? 'Your recording' : audio.file.name} ({sizeText(audio.file.size)})
            </p>
            <audio controls src={audio.url} aria-label="Preview of the sample" className="w-full" />
          </div>
        ) : null}
        {fieldErrors['audio_file'] ? (
          <p id={ids.audioError} className="text-sm text-red-700">
            {fieldErrors['audio_file']}
          </p>
        ) : null}
      </fieldset>

      {progress?.phase === 'uploading' ? (
        <div className="flex flex-col gap-1">
          <p id={ids.progress} className="text-sm text-slate-700">
            Uploading… {Math.round(progress.fraction * 100)}%
          </p>
          <progress aria-labelledby={ids.progress} value={progress.fraction} max={1} className="w-full" />
        </div>
      ) : null}
      {progress?.phase === 'analysing' ? (
        <p role="status" className="text-sm text-slate-700">
          Uploaded. Measuring the voice…
        </p>
      ) : null}
      {formError ? (
        <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800">
          <p className="font-semibold">The voice was not added</p>
          <p>{describeUploadError(formError)}</p>
        </div>
      ) : null}
      <div>
        <Button type="submit" disabled={busy}>
          {busy ? 'Uploading…' : 'Upload voice'}
        </Button>
      </div>
    </form>
  );
}
