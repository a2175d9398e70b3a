import type { ApiKeyScope, CreateApiKeyInput } from './developer-queries';

export interface CreateKeyValues {
  name: string;
  scopes: readonly ApiKeyScope[];
  /** YYYY-MM-DD from the date field, or '' for a key that never expires. */
  expiresOn: string;
}

export type CreateKeyErrors = Partial<Record<keyof CreateKeyValues, string>>;

/** Today as the date field writes it, in the user's own calendar. */
export function localToday(now = new Date()): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * The request for the form's values, or what is wrong with them. A key chosen to expire "on" a day works until the
 * end of that day in the user's time zone, so a key made to expire today still works until midnight.
 */
export function buildCreateKeyInput(
  values: CreateKeyValues,
  now = new Date(),
): { input: CreateApiKeyInput } | { errors: CreateKeyErrors } {
  const errors: CreateKeyErrors = {};
  const name = values.name.trim();
  if (name === '') errors.name = 'Give the key a name, such as where it will be used.';
  else if (name.length > 100) errors.name = 'Use at most 100 characters.';
  if (values.scopes.length === 0) errors.scopes = 'Choose at least one permission.';
  let expiresAt: string | null = null;
  if (values.expiresOn !== '') {
    const end = new Date(`${values.expiresOn}T23:59:59.999`);
    if (Number.isNaN(end.getTime())) errors.expiresOn = 'Enter a date, or leave it empty.';
    else if (end.getTime() <= now.getTime()) errors.expiresOn = 'Choose today or a later day.';
    else expiresAt = end.toISOString();
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { input: { name, scopes: [...values.scopes], expiresAt } };
}
