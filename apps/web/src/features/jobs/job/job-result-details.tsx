import type { ReactNode } from 'react';

import { formatClock } from '../../../lib/format';
import { STEP_LABELS } from './job-labels';
import type { JobStatusView } from './job-queries';

type JobResult = NonNullable<JobStatusView['result']>;

const lufs = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)} LUFS`);

/** One term and its description; a <dl> of such <div>s is valid HTML and lays out as a grid. */
function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-x-4 sm:grid-cols-[10rem_1fr]">
      <dt className="font-medium text-slate-700">{term}</dt>
      <dd className="break-words">{children}</dd>
    </div>
  );
}

/** How the result was made (models, methods) and what was measured on the input and the output. */
export function JobResultDetails({ result }: { result: JobResult }) {
  const { input, output } = result;
  return (
    <section aria-labelledby="details-heading" className="flex flex-col gap-2">
      <h2 id="details-heading" className="text-lg font-semibold">
        Details
      </h2>
      <dl className="flex flex-col gap-1 text-sm">
        {result.models.map((used) => (
          <Row key={`${used.op}-${used.model}`} term={STEP_LABELS[used.op]}>
            <span className="break-all">{used.model}</span>
          </Row>
        ))}
        {'durationMs' in input ? (
          <Row term="Input">
            {formatClock(input.durationMs)}, {input.container.toUpperCase()}, {input.channels} ch,{' '}
            {input.originalSampleRate / 1000} kHz, {lufs(input.integratedLufs)}
          </Row>
        ) : null}
        <Row term="Output">
          {'integratedLufs' in output
            ? `${formatClock(output.durationMs)}, ${lufs(output.integratedLufs)}, true peak ${output.truePeakDbtp.toFixed(1)} dBTP`
            : `${output.words} words`}
        </Row>
        {result.edits?.map((edit, index) => (
          <Row key={`edit-${index}`} term="Edit">
            {edit.detail}
          </Row>
        ))}
        {result.voiceConversion?.map((conversion, index) => (
          <Row key={`voice-${index}`} term="Voice">
            {conversion.target} ({conversion.method})
          </Row>
        ))}
        {result.revoiced?.map((revoiced, index) => (
          <Row key={`revoiced-${index}`} term={STEP_LABELS[revoiced.op]}>
            {revoiced.lines} lines in {revoiced.language}
            {revoiced.preview ? `: “${revoiced.preview}…”` : ''}
          </Row>
        ))}
      </dl>
    </section>
  );
}
