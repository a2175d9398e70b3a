import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';

import { api, type Schemas, unwrap } from '../../../api/client';
import type { paths } from '../../../api/schema';
import { postFormWithProgress } from '../../../lib/upload-with-progress';
import { CREDITS_QUERY_KEY } from '../../account/use-credits';
import type { JobRequest } from './chain';

type AcceptedJob = Schemas['AcceptedJobDto'];

/** The routes that take a JSON body: the step endpoints a text or generated job is sent to. */
type JsonPostPath = {
  [Path in keyof paths]: paths[Path] extends { post: { requestBody: { content: { 'application/json': unknown } } } }
    ? Path
    : never;
}[keyof paths];

export interface Submission {
  request: JobRequest;
  file: File | undefined;
}

function fileIdentity(file: File | undefined): string {
  return file ? `${file.name}\u0000${file.size}\u0000${file.lastModified}` : '';
}

/**
 * Submits a job with an Idempotency-Key, and upload progress for a file. The key belongs to the request's
 * content: a second click, or a retry after a dropped connection, sends the same request under the same key and
 * gets the job the first one created; any change to the request takes a new key (the API refuses a key reused
 * for a different request).
 */
export function useSubmitJob() {
  const queryClient = useQueryClient();
  const [uploadFraction, setUploadFraction] = useState<number | undefined>();
  const attempt = useRef<{ signature: string; key: string } | undefined>(undefined);

  const mutation = useMutation({
    mutationFn: async ({ request, file }: Submission): Promise<AcceptedJob> => {
      const signature = JSON.stringify([request, fileIdentity(file)]);
      if (attempt.current?.signature !== signature) attempt.current = { signature, key: crypto.randomUUID() };
      const headers = { 'Idempotency-Key': attempt.current.key };
      if (request.kind === 'upload') {
        if (!file) throw new Error('Choose an audio file first.');
        const form = new FormData();
        form.append('audio_file', file, file.name);
        form.append('steps', JSON.stringify(request.steps));
        setUploadFraction(0);
        return postFormWithProgress<AcceptedJob>(request.path, form, { headers, onProgress: setUploadFraction });
      }
      // The path was found in the OpenAPI document as a JSON POST (step-types.ts), so the typed client has it.
      const path = request.path as JsonPostPath;
      return unwrap(await api.POST(path, { body: request.body as never, headers })) as AcceptedJob;
    },
    onSettled: async () => {
      setUploadFraction(undefined);
      // Held credits change on success, and a 402 means the balance shown was out of date.
      await queryClient.invalidateQueries({ queryKey: CREDITS_QUERY_KEY });
    },
  });

  return { ...mutation, uploadFraction };
}
