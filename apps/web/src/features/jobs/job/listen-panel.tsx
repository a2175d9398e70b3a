import { useCallback, useRef, useState } from 'react';

import { ErrorAlert } from '../../../components/error-alert';
import { currentWordIndex } from './current-word';
import { type DownloadLinks, type JobStatusView, useInputAudio, useTranscript } from './job-queries';
import { TranscriptView } from './transcript-view';
import { type PlayerHandle, WaveformPlayer } from './waveform-player';

const linkClass =
  'inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 hover:bg-slate-100';

/**
 * Before and after. The input is the user's own upload and plays at any time; the output, and any text made
 * from it, is paid content: it appears only once the download has been charged (`links` exist).
 */
export function ListenPanel({ job, links }: { job: JobStatusView; links: DownloadLinks | undefined }) {
  const output = job.result?.output;
  const transcriptOnly = output !== undefined && 'words' in output;
  const hasInput = job.inputDurationMs !== null;
  const input = useInputAudio(job.jobId, hasInput);
  const transcript = useTranscript(job.jobId, transcriptOnly ? links?.url : undefined);
  const beforePlayer = useRef<PlayerHandle>(null);
  const [wordIndex, setWordIndex] = useState(-1);
  const words = transcript.data?.words;
  const followWords = useCallback(
    (seconds: number) => setWordIndex(words ? currentWordIndex(words, seconds) : -1),
    [words],
  );
  const completed = job.status === 'completed';

  return (
    <section aria-labelledby="listen-heading" className="flex flex-col gap-3">
      <h2 id="listen-heading" className="text-lg font-semibold">
        {transcriptOnly ? 'Listen and read' : 'Before and after'}
      </h2>
      <div className="grid gap-3 md:grid-cols-2">
        {hasInput ? (
          input.data ? (
            <WaveformPlayer
              key={input.data.url}
              ref={beforePlayer}
              url={input.data.url}
              title={`Before: ${input.data.filename ?? 'your upload'}`}
              subject="the original"
              name="before"
              onTime={transcriptOnly ? followWords : undefined}
            />
          ) : input.isError ? (
            <ErrorAlert error={input.error} title="Your upload could not be loaded" />
          ) : (
            <p className="text-sm text-slate-600">Loading your upload…</p>
          )
        ) : null}
        {transcriptOnly || !completed ? null : links ? (
          <WaveformPlayer key={links.url} url={links.url} title="After: the result" subject="the result" name="after" />
        ) : (
          <p className="rounded-md border border-dashed border-slate-300 p-3 text-sm text-slate-700">
            The result plays here once you have downloaded it.
          </p>
        )}
      </div>

      {transcriptOnly && completed ? (
        <section aria-labelledby="transcript-heading" className="flex flex-col gap-3">
          <h3 id="transcript-heading" className="font-semibold">
            Transcript
          </h3>
          {!links ? (
            <p className="rounded-md border border-dashed border-slate-300 p-3 text-sm text-slate-700">
              The transcript ({job.result?.transcript?.wordCount ?? output.words} words) appears here once you have
              downloaded it.
            </p>
          ) : transcript.data ? (
            <TranscriptView
              words={transcript.data.words}
              currentIndex={wordIndex}
              onSeek={(seconds) => beforePlayer.current?.playFrom(seconds)}
            />
          ) : transcript.isError ? (
            <ErrorAlert error={transcript.error} title="The transcript could not be loaded" />
          ) : (
            <p className="text-sm text-slate-600">Loading the transcript…</p>
          )}
          {links ? <SubtitleLinks links={links} /> : null}
        </section>
      ) : null}

      {!transcriptOnly && completed && links?.artifacts ? (
        <section aria-labelledby="transcript-heading" className="flex flex-col gap-2">
          <h3 id="transcript-heading" className="font-semibold">
            Transcript
          </h3>
          {job.result?.transcript?.preview ? <p className="text-sm">{job.result.transcript.preview}…</p> : null}
          <SubtitleLinks links={links} />
        </section>
      ) : null}
    </section>
  );
}

function SubtitleLinks({ links }: { links: DownloadLinks }) {
  if (!links.artifacts) return null;
  return (
    <div className="flex flex-wrap gap-2">
      <a className={linkClass} href={links.artifacts.srt} download>
        Download SRT
      </a>
      <a className={linkClass} href={links.artifacts.vtt} download>
        Download VTT
      </a>
    </div>
  );
}
