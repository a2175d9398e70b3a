import { ErrorAlert } from '../../components/error-alert';
import { CreateKeyForm } from './create-key-form';
import { useApiKeys, useCreateApiKey } from './developer-queries';
import { KeyList } from './key-list';
import { NewKeySecret } from './new-key-secret';
import { UsageSection } from './usage-section';
import { WebhooksSection } from './webhooks/webhooks-section';

/** /developer: API keys (create and see once, list, revoke), what they used, and signed webhooks. */
export function DeveloperPage() {
  const keys = useApiKeys();
  const create = useCreateApiKey();
  const created = create.data;

  return (
    <div className="flex flex-col gap-8">
      <div>
        <h1 className="text-2xl font-bold">Developer</h1>
        <p className="mt-1 text-sm text-slate-700">
          API keys let your own programs submit jobs, follow them and download results. Send a key as{' '}
          <code>Authorization: Bearer …</code> or <code>X-API-Key: …</code>; the{' '}
          <a href="/api/docs" className="text-indigo-700 underline">
            API reference
          </a>{' '}
          lists the permission each route needs. Every response to a key says how many requests it has left this minute
          (the <code>RateLimit</code> header).
        </p>
      </div>

      {created ? (
        <NewKeySecret name={created.key.name} secret={created.secret} onDone={() => create.reset()} />
      ) : (
        <section className="rounded-lg border border-slate-200 p-4">
          <CreateKeyForm onCreate={(input) => create.mutate(input)} pending={create.isPending} error={create.error} />
        </section>
      )}

      <section aria-labelledby="your-keys" className="flex flex-col gap-3">
        <h2 id="your-keys" className="text-xl font-semibold">
          Your keys
        </h2>
        {keys.isPending ? (
          <p className="text-sm text-slate-600">Loading…</p>
        ) : keys.error ? (
          <ErrorAlert error={keys.error} title="Could not load your keys" />
        ) : (
          <KeyList keys={keys.data} />
        )}
      </section>

      <UsageSection keys={keys.data ?? []} />

      <WebhooksSection />
    </div>
  );
}
