import { ApiError, NETWORK_ERROR_CODE, session, toApiError } from '../../api/client';
import type { paths } from '../../api/schema';

type UploadOperation = paths['/api/voices/upload']['post'];
export type UploadedVoice = UploadOperation['responses'][201]['content']['application/json'];
/** The multipart fields of the upload, as the OpenAPI document names them. */
type UploadFields = Omit<NonNullable<UploadOperation['requestBody']>['content']['multipart/form-data'], 'audio_file'>;

export interface VoiceUploadInput {
  name: string;
  description: string;
  isPublic: boolean;
  audio: File;
}

export type UploadProgress = { phase: 'uploading'; fraction: number } | { phase: 'analysing' };

const UPLOAD_PATH = '/api/voices/upload' satisfies keyof paths;

function formOf(input: VoiceUploadInput): FormData {
  const fields: UploadFields = {
    name: input.name,
    is_public: input.isPublic ? 'true' : 'false',
    ...(input.description.trim() ? { description: input.description } : {}),
  };
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('audio_file', input.audio, input.audio.name);
  return form;
}

interface XhrAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

function send(form: FormData, onProgress: (progress: UploadProgress) => void): Promise<XhrAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', UPLOAD_PATH);
    if (session.token) xhr.setRequestHeader('Authorization', `Bearer ${session.token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress({ phase: 'uploading', fraction: event.loaded / event.total });
    };
    // Every byte is sent: the API now decodes and measures the sample before it answers.
    xhr.upload.onload = () => onProgress({ phase: 'analysing' });
    xhr.onload = () => {
      const retryAfter = xhr.getResponseHeader('Retry-After');
      resolve({
        status: xhr.status,
        body: xhr.response as unknown,
        headers: new Headers(retryAfter ? { 'Retry-After': retryAfter } : {}),
      });
    };
    xhr.onerror = () => reject(new ApiError(0, NETWORK_ERROR_CODE, 'Cannot reach the server. Check your connection.'));
    xhr.send(form);
  });
}

/**
 * POST /api/voices/upload with upload progress, which fetch (and so the typed client) cannot report. It keeps
 * the client's contract: the bearer token, one refresh-and-retry on 401, errors as ApiError.
 */
export async function uploadVoice(
  input: VoiceUploadInput,
  onProgress: (progress: UploadProgress) => void,
): Promise<UploadedVoice> {
  let answer = await send(formOf(input), onProgress);
  if (answer.status === 401 && (await session.refresh())) answer = await send(formOf(input), onProgress);
  if (answer.status === 201) return answer.body as UploadedVoice;
  throw toApiError(answer.status, answer.body, answer.headers);
}
