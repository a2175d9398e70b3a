import { type FormEvent, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';

import { ApiError } from '../../api/client';
import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { useCredits } from '../account/use-credits';
import { AudioInput, useAudioSelection } from './new-job/audio-input';
import { CapabilityPicker } from './new-job/capability-picker';
import { buildJob, type ChainStep, mapApiFieldErrors, newStep } from './new-job/chain';
import { ChainBuilder } from './new-job/chain-builder';
import { CostSummary } from './new-job/cost-summary';
import { estimateCredits } from './new-job/cost';
import { createFieldAdvisor } from './new-job/field-choices';
import type { FieldErrors } from './new-job/json-schema';
import { chainFromSearch } from './new-job/prefill';
import { useInstalledModels, useUsableVoices } from './new-job/queries';
import { STEP_CATALOG, type StepCatalog } from './new-job/step-types';
import { TextInput } from './new-job/text-input';
import { useSubmitJob } from './new-job/use-submit-job';

/** Errors about the uploaded file itself: shown next to the file input. */
const FILE_ERROR_CODES = new Set(['INVALID_AUDIO', 'AUDIO_FILE_REQUIRED', 'PAYLOAD_TOO_LARGE']);
function isFileError(error: unknown): boolean {
  return (
    error instanceof ApiError && (FILE_ERROR_CODES.has(error.code) || error.status === 413 || error.status === 415)
  );
}

/**
 * Build a job: pick what it does, give it audio (a file, a drop or a recording) or text, chain more steps, see
 * what it will cost against the balance, and submit. Every form is generated from the step schemas in the
 * OpenAPI document, so a new step type appears here with its form.
 */
export function NewJobPage({ catalog = STEP_CATALOG }: { catalog?: StepCatalog }) {
  const [search] = useSearchParams();
  const [initial] = useState(() => chainFromSearch(catalog, search));
  const [steps, setSteps] = useState<ChainStep[]>(initial.steps);
  const [text, setText] = useState(initial.text);
  const [attempted, setAttempted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [submitError, setSubmitError] = useState<unknown>();
  const [fileError, setFileError] = useState<unknown>();
  const audio = useAudioSelection();
  const credits = useCredits();
  const models = useInstalledModels();
  const voices = useUsableVoices();
  const submit = useSubmitJob();
  const navigate = useNavigate();
  const submitting = useRef(false);

  const first = steps[0] ? catalog.byOp.get(steps[0].op) : undefined;
  const textMaxLength = first?.endpoint?.body.properties?.['text']?.maxLength;
  const built = useMemo(
    () =>
      buildJob(catalog, steps, { value: text, ...(textMaxLength !== undefined ? { maxLength: textMaxLength } : {}) }),
    [catalog, steps, text, textMaxLength],
  );
  const advisor = useMemo(
    () => createFieldAdvisor({ models: models.data, voices: voices.data }),
    [models.data, voices.data],
  );
  // Client errors appear once a submit was tried, then follow every edit; the server's until the next edit.
  const errors = attempted ? { ...serverErrors, ...built.errors } : serverErrors;

  const source = first?.source ?? 'audio';
  const headStep = built.steps[0] ?? {};
  const numberField = (name: string) => (typeof headStep[name] === 'number' ? (headStep[name] as number) : undefined);
  const estimate =
    source === 'audio'
      ? estimateCredits({ source, durationMs: audio.selected?.durationMs ?? undefined })
      : source === 'text'
        ? estimateCredits({
            source,
            text,
            ...(numberField('speed') !== undefined ? { speed: numberField('speed') } : {}),
          })
        : estimateCredits({
            source,
            ...(numberField('duration') !== undefined ? { durationSeconds: numberField('duration') } : {}),
          });
  const balance = credits.data?.creditsRemaining;
  const insufficient = estimate !== undefined && balance !== undefined && estimate > balance;

  let pendingReason: string | undefined;
  if (source === 'audio' && !audio.selected) pendingReason = 'Add an audio file to see the cost.';
  else if (source === 'audio' && audio.selected?.durationMs === undefined) pendingReason = 'Reading the file…';
  else if (source === 'audio') pendingReason = 'Known once the file is uploaded.';
  else if (source === 'none') pendingReason = 'Set a duration to see the cost.';

  const busy = submit.isPending;
  let blocked: string | undefined;
  if (insufficient) blocked = 'Not enough credits for this job.';
  else if (source === 'audio' && !audio.selected) blocked = 'Add an audio file first.';
  else if (source === 'audio' && audio.selected?.durationMs === undefined) blocked = 'Reading the file…';

  const edit =
    <T,>(apply: (value: T) => void) =>
    (value: T) => {
      setServerErrors({});
      setSubmitError(undefined);
      apply(value);
    };
  const setChain = edit(setSteps);

  const pick = edit((op: string) => {
    const type = catalog.byOp.get(op);
    if (type) setSteps((current) => [newStep(type), ...current.slice(1)]);
  });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    // A second click before React re-renders the disabled button must not send a second request.
    if (submitting.current || blocked) return;
    setAttempted(true);
    setSubmitError(undefined);
    const { request } = built;
    if (!request) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    submitting.current = true;
    setFileError(undefined);
    submit.mutate(
      { request, file: audio.selected?.file },
      {
        onSuccess: (accepted) => void navigate(`/jobs/${accepted.jobId}`),
        onError: (error) => {
          if (isFileError(error)) {
            setFileError(error);
            return;
          }
          const fields = error instanceof ApiError ? mapApiFieldErrors(request, error.fieldErrors()) : {};
          setServerErrors(fields);
          setSubmitError(
            Object.keys(fields).length > 0
              ? new Error('Some steps need a change: see the messages at the fields.')
              : error,
          );
        },
        onSettled: () => {
          submitting.current = false;
        },
      },
    );
  };

  const progress = submit.uploadFraction;
  return (
    <section className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-bold">New job</h1>
        <p className="text-sm text-slate-600">Clean, transcribe, re-voice or dub audio, or make new audio from text.</p>
      </div>
      <form className="flex flex-col gap-6" noValidate onSubmit={onSubmit}>
        <CapabilityPicker types={catalog.types} value={steps[0]?.op} onChange={pick} disabled={busy} />

        <section aria-labelledby="input-heading" className="flex flex-col gap-3">
          <h2 id="input-heading" className="text-lg font-semibold">
            {source === 'audio' ? 'Audio' : source === 'text' ? 'Text' : 'Input'}
          </h2>
          {source === 'audio' ? (
            <AudioInput
              selected={audio.selected}
              onChoose={(file, origin) => {
                setFileError(undefined);
                setSubmitError(undefined);
                audio.choose(file, origin);
              }}
              onClear={audio.clear}
              error={fileError}
              disabled={busy}
            />
          ) : source === 'text' ? (
            <TextInput
              value={text}
              onChange={edit(setText)}
              maxLength={textMaxLength}
              error={errors['text']}
              disabled={busy}
            />
          ) : (
            <p className="text-sm text-slate-600">No input needed: {first?.label ?? 'this step'} makes the audio.</p>
          )}
        </section>

        <ChainBuilder
          catalog={catalog}
          steps={steps}
          onChange={setChain}
          errors={errors}
          advisor={advisor}
          disabled={busy}
        />

        <CostSummary estimate={estimate} balance={balance} pendingReason={pendingReason} />

        <div className="flex flex-col gap-3">
          <ErrorAlert error={submitError} title="The job was not started" />
          {progress !== undefined ? (
            <div className="flex flex-col gap-1">
              <label htmlFor="upload-progress" className="text-sm text-slate-700">
                {progress < 1 ? `Uploading… ${Math.round(progress * 100)}%` : 'Uploaded; starting the job…'}
              </label>
              <progress id="upload-progress" className="w-full" max={1} value={progress} />
            </div>
          ) : null}
          <div className="flex flex-wrap items-center gap-3">
            <Button
              type="submit"
              disabled={busy || blocked !== undefined}
              aria-describedby={blocked ? 'submit-blocked' : undefined}
            >
              {busy ? 'Starting…' : 'Start job'}
            </Button>
            {blocked ? (
              <p id="submit-blocked" className="text-sm text-slate-700">
                {blocked}
              </p>
            ) : null}
          </div>
        </div>
      </form>
    </section>
  );
}
