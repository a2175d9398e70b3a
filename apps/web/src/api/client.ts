import createClient from 'openapi-fetch';

import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type AuthResponse = Schemas['AuthResponseDto'];

/** The API's one error shape (`{ statusCode, error: { code, message, details } }`), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds until a 429 may be retried, from Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `[{ field, message }]` of a validation error, keyed by field. */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    if (!Array.isArray(this.details)) return fields;
    for (const entry of this.details as unknown[]) {
      if (typeof entry !== 'object' || entry === null) continue;
      const { field, message } = entry as { field?: unknown; message?: unknown };
      if (typeof field === 'string' && typeof message === 'string' && !(field in fields)) fields[field] = message;
    }
    return fields;
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

export const NETWORK_ERROR_CODE = 'NETWORK';

/**
 * The access token lives only in memory (never localStorage): a reload renews it from the httpOnly refresh
 * cookie. Concurrent 401s share one refresh, because a refresh token is single-use and a second presentation
 * would revoke the whole sign-in.
 */
class Session {
  private accessToken: string | undefined;
  private refreshing: Promise<AuthResponse | undefined> | undefined;
  private readonly listeners = new Set<(session: AuthResponse | undefined) => void>();

  get token(): string | undefined {
    return this.accessToken;
  }

  set(session: AuthResponse | undefined): void {
    this.accessToken = session?.accessToken;
    for (const listener of this.listeners) listener(session);
  }

  onChange(listener: (session: AuthResponse | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Renews the access token from the refresh cookie; undefined when there is no valid sign-in. */
  refresh(): Promise<AuthResponse | undefined> {
    this.refreshing ??= (async () => {
      try {
        const response = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
        const session = response.ok ? ((await response.json()) as AuthResponse) : undefined;
        this.set(session);
        return session;
      } catch {
        return undefined;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}

export const session = new Session();

const UNAUTHENTICATED_PATHS = [
  '/api/auth/login',
  '/api/auth/register',
  '/api/auth/refresh',
  '/api/auth/logout',
  '/api/auth/mfa',
];

/** fetch with the bearer token, one transparent refresh-and-retry on 401, and network failures as ApiError. */
export async function authorizedFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const send = (request: Request) => {
    if (session.token) request.headers.set('Authorization', `Bearer ${session.token}`);
    return fetch(request).catch((error: unknown) => {
      throw new ApiError(0, NETWORK_ERROR_CODE, 'Cannot reach the server. Check your connection.', error);
    });
  };
  const response = await send(input);
  const path = new URL(input.url).pathname;
  if (response.status === 403 && (await isSuspension(response))) {
    // An admin suspended the account: the session is over (its refresh tokens are revoked too), so sign out here.
    session.set(undefined);
    return response;
  }
  if (response.status !== 401 || UNAUTHENTICATED_PATHS.includes(path)) return response;
  const renewed = await session.refresh();
  return renewed ? send(retry) : response;
}

async function isSuspension(response: Response): Promise<boolean> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: unknown } };
    return body.error?.code === 'ACCOUNT_SUSPENDED';
  } catch {
    return false;
  }
}

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: authorizedFetch });

/** The ApiError for a non-2xx response body (whatever its shape). */
export function toApiError(status: number, body: unknown, headers?: Headers): ApiError {
  const retryAfter = Number(headers?.get('Retry-After'));
  const detail = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const code = typeof detail?.code === 'string' ? detail.code : `HTTP_${status}`;
  const message = typeof detail?.message === 'string' ? detail.message : `The server answered ${status}.`;
  return new ApiError(status, code, message, detail?.details, Number.isFinite(retryAfter) ? retryAfter : undefined);
}

/** The data of an openapi-fetch result, or its error thrown as ApiError (for TanStack Query). */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  throw toApiError(result.response.status, result.error, result.response.headers);
}
