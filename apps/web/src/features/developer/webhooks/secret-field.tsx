import { useId, useRef, useState } from 'react';

import { Button } from '../../../components/button';

/** A read-only secret with a Copy button; where the clipboard is refused it is selected for a manual copy. */
export function SecretField({ label, secret }: { label: string; secret: string }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const inputId = useId();

  const copyToClipboard = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopy('copied');
    } catch {
      inputRef.current?.select();
      setCopy('failed');
    }
  };

  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={inputId} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="flex flex-wrap gap-2">
        <input
          id={inputId}
          ref={inputRef}
          readOnly
          value={secret}
          onFocus={(event) => event.target.select()}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm"
        />
        <Button onClick={() => void copyToClipboard()}>
          Copy<span className="sr-only"> {label.toLowerCase()}</span>
        </Button>
      </div>
      <p role="status" className="text-sm text-slate-700">
        {copy === 'copied'
          ? 'Copied to the clipboard.'
          : copy === 'failed'
            ? 'Could not copy: the secret is selected, copy it yourself.'
            : ''}
      </p>
    </div>
  );
}
