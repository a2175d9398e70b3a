import { type FormEvent, useId, useState } from 'react';

import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { FormField } from '../../components/form-field';
import { buildCreateKeyInput, type CreateKeyErrors, localToday } from './create-key';
import type { ApiKeyScope, CreateApiKeyInput } from './developer-queries';
import { API_KEY_SCOPES, scopeDescription, scopeLabel } from './scopes';

interface CreateKeyFormProps {
  onCreate: (input: CreateApiKeyInput) => void;
  pending: boolean;
  error: unknown;
}

/** Name, permissions and an optional last day; checked here first, so only a sensible request is sent. */
export function CreateKeyForm({ onCreate, pending, error }: CreateKeyFormProps) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>([]);
  const [expiresOn, setExpiresOn] = useState('');
  const [errors, setErrors] = useState<CreateKeyErrors>({});
  const titleId = useId();
  const scopesErrorId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = buildCreateKeyInput({ name, scopes, expiresOn });
    if ('errors' in result) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    onCreate(result.input);
  };
  const toggle = (scope: ApiKeyScope, checked: boolean) =>
    setScopes((current) =>
      checked ? API_KEY_SCOPES.filter((s) => s === scope || current.includes(s)) : current.filter((s) => s !== scope),
    );

  return (
    <form aria-labelledby={titleId} noValidate onSubmit={submit} className="flex flex-col gap-4">
      <h2 id={titleId} className="text-xl font-semibold">
        Create a key
      </h2>
      <FormField
        label="Name"
        value={name}
        maxLength={100}
        onChange={(event) => setName(event.target.value)}
        error={errors.name}
        hint="Where it will be used, e.g. “CI pipeline” or “podcast uploader”."
      />
      <fieldset
        className="flex flex-col gap-2"
        aria-describedby={errors.scopes ? scopesErrorId : undefined}
        aria-invalid={errors.scopes ? true : undefined}
      >
        <legend className="text-sm font-medium text-slate-800">Permissions</legend>
        {API_KEY_SCOPES.map((scope) => (
          <label key={scope} className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              className="mt-1 h-4 w-4"
              checked={scopes.includes(scope)}
              onChange={(event) => toggle(scope, event.target.checked)}
            />
            <span>
              <span className="font-medium">{scopeLabel(scope)}</span>{' '}
              <code className="text-xs text-slate-600">{scope}</code>
              <span className="block text-slate-600">{scopeDescription(scope)}</span>
            </span>
          </label>
        ))}
        {errors.scopes ? (
          <p id={scopesErrorId} className="text-sm text-red-700">
            {errors.scopes}
          </p>
        ) : null}
      </fieldset>
      <FormField
        label="Expires on (optional)"
        type="date"
        min={localToday()}
        value={expiresOn}
        onChange={(event) => setExpiresOn(event.target.value)}
        error={errors.expiresOn}
        hint="The key works until the end of that day. Leave empty for a key that does not expire."
      />
      <ErrorAlert error={error} title="The key was not created" />
      <div>
        <Button type="submit" disabled={pending} aria-busy={pending || undefined}>
          {pending ? 'Creating…' : 'Create key'}
        </Button>
      </div>
    </form>
  );
}
