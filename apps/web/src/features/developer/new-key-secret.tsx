import { useEffect, useId, useRef, useState } from 'react';

import { Button } from '../../components/button';

/**
 * The secret of a key just created, shown once: the API keeps only its hash. Focus moves here so a screen reader
 * hears it at once; "Done" forgets it.
 */
export function NewKeySecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const titleId = useId();
  const inputId = useId();
  useEffect(() => headingRef.current?.focus(), []);

  const copyToClipboard = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopy('copied');
    } catch {
      // No clipboard access (permissions, an insecure origin): select it for a manual copy instead.
      inputRef.current?.select();
      setCopy('failed');
    }
  };

  return (
    <section
      aria-labelledby={titleId}
      className="flex flex-col gap-3 rounded-lg border-2 border-amber-400 bg-amber-50 p-4"
    >
      <h2 id={titleId} ref={headingRef} tabIndex={-1} className="text-xl font-semibold">
        Your new key “{name}”
      </h2>
      <p className="font-semibold text-amber-900">Copy it now and keep it somewhere safe: you will not see it again.</p>
      <label htmlFor={inputId} className="text-sm font-medium text-slate-800">
        API key
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
        <Button onClick={() => void copyToClipboard()}>Copy</Button>
      </div>
      <p role="status" className="text-sm text-slate-700">
        {copy === 'copied'
          ? 'Copied to the clipboard.'
          : copy === 'failed'
            ? 'Could not copy: the key is selected, copy it yourself.'
            : ''}
      </p>
      <p className="text-sm text-slate-700">
        Send it as <code className="break-all">Authorization: Bearer {secret.slice(0, 12)}…</code> or{' '}
        <code className="break-all">X-API-Key: {secret.slice(0, 12)}…</code>.
      </p>
      <div>
        <Button variant="secondary" onClick={onDone}>
          Done, I have saved it
        </Button>
      </div>
    </section>
  );
}
