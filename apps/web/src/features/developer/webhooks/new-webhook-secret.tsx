import { useEffect, useId, useRef } from 'react';

import { Button } from '../../../components/button';
import { SecretField } from './secret-field';

/**
 * The signing secret of an endpoint just added, shown once (the API never returns it again). Focus moves here so
 * a screen reader hears it at once; "Done" forgets it.
 */
export function NewWebhookSecret({ url, secret, onDone }: { url: string; secret: string; onDone: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const titleId = useId();
  useEffect(() => headingRef.current?.focus(), []);
  return (
    <section
      aria-labelledby={titleId}
      className="flex flex-col gap-3 rounded-lg border-2 border-amber-400 bg-amber-50 p-4"
    >
      <h3 id={titleId} ref={headingRef} tabIndex={-1} className="text-lg font-semibold">
        Signing secret for the new endpoint
      </h3>
      <p className="text-sm break-all text-slate-700">{url}</p>
      <p className="font-semibold text-amber-900">Copy it now and keep it somewhere safe: you will not see it again.</p>
      <SecretField label="Signing secret" secret={secret} />
      <p className="text-sm text-slate-700">
        Check the <code>webhook-signature</code> header of each delivery with it (Standard Webhooks, e.g. the{' '}
        <code>standardwebhooks</code> package).
      </p>
      <div>
        <Button variant="secondary" onClick={onDone}>
          Done, I have saved it
        </Button>
      </div>
    </section>
  );
}
