/** The text a TTS job speaks, with its count against the API's limit (the body schema's `text.maxLength`). */
export function TextInput({
  value,
  onChange,
  maxLength,
  error,
  disabled,
}: {
  value: string;
  onChange: (text: string) => void;
  maxLength: number | undefined;
  error: string | undefined;
  disabled: boolean;
}) {
  const over = maxLength !== undefined && value.length > maxLength;
  const count =
    maxLength === undefined
      ? `${value.length.toLocaleString('en-US')} characters`
      : `${value.length.toLocaleString('en-US')} / ${maxLength.toLocaleString('en-US')} characters`;
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-baseline gap-1">
        <label htmlFor="job-text" className="text-sm font-medium text-slate-800">
          Text to speak
        </label>
        <span aria-hidden="true" className="text-red-700">
          *
        </span>
      </div>
      <textarea
        id="job-text"
        rows={6}
        value={value}
        disabled={disabled}
        aria-required
        aria-invalid={error || over ? true : undefined}
        aria-describedby={['job-text-count', error ? 'job-text-error' : ''].filter(Boolean).join(' ')}
        className={`w-full rounded-md border px-3 py-2 text-base ${error || over ? 'border-red-500' : 'border-slate-300'}`}
        onChange={(event) => onChange(event.target.value)}
      />
      <p id="job-text-count" className={`text-xs ${over ? 'font-semibold text-red-700' : 'text-slate-600'}`}>
        {count}
        {over ? ` (${(value.length - maxLength).toLocaleString('en-US')} over the limit)` : ''}
      </p>
      {error ? (
        <p id="job-text-error" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
