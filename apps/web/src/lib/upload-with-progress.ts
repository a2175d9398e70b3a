import { ApiError, NETWORK_ERROR_CODE, session, toApiError } from '../api/client';
import type { paths } from '../api/schema';

/** Upload fractions (0–1) as the request body is sent. */
export type UploadProgress = (fraction: number) => void;

/**
 * A multipart POST with upload progress, which fetch cannot report: XMLHttpRequest with the session's bearer
 * token, and one refresh-and-retry on 401 as authorizedFetch does. Errors are the client's ApiError.
 */
export async function postFormWithProgress<T>(
  path: keyof paths,
  form: FormData,
  options: { headers?: Record<string, string>; onProgress?: UploadProgress } = {},
): Promise<T> {
  let response = await send(path, form, options);
  if (response.status === 401 && (await session.refresh())) response = await send(path, form, options);
  if (response.status >= 200 && response.status < 300) return response.body as T;
  throw toApiError(response.status, response.body, response.headers);
}

interface XhrResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

function send(
  path: string,
  form: FormData,
  options: { headers?: Record<string, string>; onProgress?: UploadProgress },
): Promise<XhrResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.responseType = 'text';
    if (session.token) xhr.setRequestHeader('Authorization', `Bearer ${session.token}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : undefined;
      } catch {
        body = xhr.responseText;
      }
      const headers = new Headers();
      const retryAfter = xhr.getResponseHeader('Retry-After');
      if (retryAfter) headers.set('Retry-After', retryAfter);
      resolve({ status: xhr.status, body, headers });
    };
    xhr.onerror = () => reject(new ApiError(0, NETWORK_ERROR_CODE, 'Cannot reach the server. Check your connection.'));
    xhr.send(form);
  });
}
