import { useId, useRef } from 'react';
import { Link } from 'react-router';

import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { formatDateTime } from '../../lib/format';
import { describeCharacteristics, type Voice } from './characteristics';
import { SpectrumPlot } from './spectrum-plot';
import { useDeleteVoice, useSetVoiceVisibility } from './voice-queries';

/**
 * Where "Use this voice" goes. Only the voice_clone step takes a library voice (`target_voice_id`); the TTS step's
 * `voice_id` names one of the TTS model's own voices (packages/shared/src/steps/tts.step.ts), so a library voice
 * is not offered for TTS.
 */
export function voiceCloneHref(voiceId: string): string {
  return `/jobs/new?${new URLSearchParams({ op: 'voice_clone', target_voice_id: voiceId }).toString()}`;
}

function VisibilitySwitch({ voice }: { voice: Voice }) {
  const visibility = useSetVoiceVisibility();
  // While the change is in flight the switch shows where it is going; the list refetch then confirms it.
  const checked = visibility.isPending ? (visibility.variables?.isPublic ?? voice.isPublic) : voice.isPublic;
  return (
    <div className="flex flex-col gap-1">
      <button
        type="button"
        role="switch"
        aria-checked={checked}
        disabled={visibility.isPending}
        onClick={() => visibility.mutate({ id: voice.id, isPublic: !voice.isPublic })}
        className="inline-flex items-center gap-2 rounded-md px-1 py-1 text-sm font-medium text-slate-800"
      >
        <span
          aria-hidden="true"
          className={`relative inline-block h-6 w-11 rounded-full transition-colors ${checked ? 'bg-indigo-600' : 'bg-slate-400'}`}
        >
          <span
            className={`absolute top-0.5 h-5 w-5 rounded-full bg-white shadow transition-all ${checked ? 'left-5.5' : 'left-0.5'}`}
          />
        </span>
        Public
      </button>
      <ErrorAlert error={visibility.error} title="The change was not saved" />
    </div>
  );
}

function DeleteVoice({ voice }: { voice: Voice }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const remove = useDeleteVoice();
  const titleId = useId();
  const close = () => {
    remove.reset();
    dialog.current?.close();
  };
  return (
    <>
      <Button variant="secondary" onClick={() => dialog.current?.showModal()}>
        Delete
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto w-[calc(100%-2rem)] max-w-sm rounded-lg p-4 shadow-xl backdrop:bg-slate-900/50"
      >
        <div className="flex flex-col gap-3">
          <h3 id={titleId} className="text-lg font-semibold">
            Delete “{voice.name}”?
          </h3>
          <p className="text-sm text-slate-700">
            Its sample and measurements are removed for good. Jobs already submitted with it are not affected.
          </p>
          <ErrorAlert error={remove.error} title="The voice was not deleted" />
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={close} autoFocus>
              Keep it
            </Button>
            <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate(voice.id)}>
              {remove.isPending ? 'Deleting…' : 'Delete voice'}
            </Button>
          </div>
        </div>
      </dialog>
    </>
  );
}

/** One voice: its measurements in words and its spectrum; the owner may share, unshare or delete it. */
export function VoiceCard({ voice }: { voice: Voice }) {
  const titleId = useId();
  const hintId = useId();
  const characteristics = voice.voiceCharacteristics;
  const href = voiceCloneHref(voice.id);
  return (
    <article
      aria-labelledby={titleId}
      className="flex min-w-0 flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4"
    >
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={titleId} className="min-w-0 text-lg font-semibold break-words">
          {voice.name}
        </h3>
        <span
          className={`rounded-full px-2 py-0.5 text-xs font-semibold ${voice.isPublic ? 'bg-green-100 text-green-900' : 'bg-slate-100 text-slate-800'}`}
        >
          {voice.isPublic ? 'Public' : 'Private'}
        </span>
      </div>
      {voice.description ? <p className="text-sm break-words text-slate-700">{voice.description}</p> : null}
      <p className="text-xs text-slate-600">
        Added {formatDateTime(voice.createdAt)}
        {characteristics ? ` · ${characteristics.sampleDurationSeconds.toFixed(1)} s sample` : ''}
      </p>
      {characteristics ? (
        <>
          <dl className="grid grid-cols-1 gap-2 sm:grid-cols-3">
            {describeCharacteristics(characteristics).map((item) => (
              <div key={item.label} className="rounded-md bg-slate-50 p-2">
                <dt className="text-xs font-medium text-slate-600 uppercase">{item.label}</dt>
                <dd className="font-semibold text-slate-900">{item.words}</dd>
                <dd className="text-xs text-slate-600">{item.detail}</dd>
              </div>
            ))}
          </dl>
          <SpectrumPlot
            bandsDb={characteristics.spectral.bandEnergiesDb}
            centersHz={characteristics.spectral.bandCentersHz}
            tiltDbPerOctave={characteristics.spectral.tiltDbPerOctave}
          />
        </>
      ) : (
        <p className="text-sm text-slate-600">This voice has no measurements.</p>
      )}
      <div className="flex flex-wrap items-start gap-3">
        <div className="flex flex-col gap-1">
          <Link
            to={href}
            aria-describedby={hintId}
            className="inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700"
          >
            Use this voice
          </Link>
          <span id={hintId} className="text-xs text-slate-600">
            Converts a recording toward it (voice clone)
          </span>
        </div>
        {voice.owned ? (
          <>
            <VisibilitySwitch voice={voice} />
            <DeleteVoice voice={voice} />
          </>
        ) : null}
      </div>
    </article>
  );
}
