import { type FormEvent, useId, useState } from 'react';

import { ApiError } from '../../../api/client';
import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { FormField } from '../../../components/form-field';
import { eventDescription, WEBHOOK_EVENTS } from './webhook-events';
import type { CreateWebhookInput, WebhookEventType } from './webhook-queries';

interface CreateWebhookFormProps {
  onCreate: (input: CreateWebhookInput) => void;
  pending: boolean;
  error: unknown;
}

interface FormErrors {
  url?: string;
  events?: string;
}

/**
 * The API's error in words: a refused URL (private, unresolvable, not http(s)) as its own sentence instead of
 * "Invalid request body: url: …"; anything else as the API says it.
 */
function describeCreateError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const fields = error.fieldErrors();
  if (fields.url) return new Error(`This address cannot be used: ${fields.url}.`);
  if (fields.events) return new Error(`Check the events: ${fields.events}.`);
  return error;
}

/** A URL and the events to send there; checked here first, the API vets the address (public hosts only). */
export function CreateWebhookForm({ onCreate, pending, error }: CreateWebhookFormProps) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([]);
  const [errors, setErrors] = useState<FormErrors>({});
  const titleId = useId();
  const eventsErrorId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next: FormErrors = {};
    const trimmed = url.trim();
    if (!/^https?:\/\/\S+$/i.test(trimmed)) next.url = 'Enter the full address, starting with https:// or http://.';
    if (events.length === 0) next.events = 'Choose at least one event.';
    setErrors(next);
    if (next.url || next.events) return;
    onCreate({ url: trimmed, events });
  };
  const toggle = (type: WebhookEventType, checked: boolean) =>
    setEvents((current) =>
      checked ? WEBHOOK_EVENTS.filter((e) => e === type || current.includes(e)) : current.filter((e) => e !== type),
    );

  return (
    <form aria-labelledby={titleId} noValidate onSubmit={submit} className="flex flex-col gap-4">
      <h3 id={titleId} className="text-lg font-semibold">
        Add an endpoint
      </h3>
      <FormField
        label="Endpoint URL"
        type="url"
        inputMode="url"
        autoComplete="off"
        value={url}
        maxLength={2048}
        onChange={(event) => setUrl(event.target.value)}
        error={errors.url}
        hint="A public https:// address of your server; private and local addresses are refused."
      />
      <fieldset
        className="flex flex-col gap-2"
        aria-describedby={errors.events ? eventsErrorId : undefined}
        aria-invalid={errors.events ? true : undefined}
      >
        <legend className="text-sm font-medium text-slate-800">Events</legend>
        {WEBHOOK_EVENTS.map((type) => (
          <label key={type} className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              className="mt-1 h-4 w-4"
              checked={events.includes(type)}
              onChange={(event) => toggle(type, event.target.checked)}
            />
            <span>
              <code className="font-medium">{type}</code>
              <span className="block text-slate-600">{eventDescription(type)}</span>
            </span>
          </label>
        ))}
        {errors.events ? (
          <p id={eventsErrorId} className="text-sm text-red-700">
            {errors.events}
          </p>
        ) : null}
      </fieldset>
      <ErrorAlert error={describeCreateError(error)} title="The endpoint was not added" />
      <div>
        <Button type="submit" disabled={pending} aria-busy={pending || undefined}>
          {pending ? 'Adding…' : 'Add endpoint'}
        </Button>
      </div>
    </form>
  );
}
