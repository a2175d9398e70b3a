import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { api, ApiError, unwrap } from '../../api/client';
import { describeError } from '../../components/error-alert';
import { uploadVoice, type UploadProgress, type VoiceUploadInput } from './upload-voice';

/** Every voice query starts with this, so one invalidation refreshes both lists. */
export const VOICES_QUERY_KEY = ['voices'] as const;
const LIBRARY_KEY = [...VOICES_QUERY_KEY, 'library'] as const;
const PUBLIC_KEY = [...VOICES_QUERY_KEY, 'public'] as const;

export function useLibraryVoices() {
  return useQuery({
    queryKey: LIBRARY_KEY,
    queryFn: async () => unwrap(await api.GET('/api/voices/library')).items,
  });
}

/** Public voices of other users (the API's public list includes the caller's own, which "Your voices" shows). */
export function useOthersPublicVoices() {
  return useQuery({
    queryKey: PUBLIC_KEY,
    queryFn: async () => unwrap(await api.GET('/api/voices/public')).items,
    select: (voices) => voices.filter((voice) => !voice.owned),
  });
}

/** Upload with its progress (UI state: bytes sent, then the server's analysis). */
export function useUploadVoice() {
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState<UploadProgress>();
  const mutation = useMutation({
    mutationFn: (input: VoiceUploadInput) => uploadVoice(input, setProgress),
    onSettled: () => setProgress(undefined),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: VOICES_QUERY_KEY }),
  });
  return { ...mutation, progress };
}

export function useSetVoiceVisibility() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, isPublic }: { id: string; isPublic: boolean }) =>
      unwrap(await api.PATCH('/api/voices/{id}', { params: { path: { id } }, body: { is_public: isPublic } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: VOICES_QUERY_KEY }),
  });
}

export function useDeleteVoice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      unwrap(await api.DELETE('/api/voices/{id}', { params: { path: { id } } }));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: VOICES_QUERY_KEY }),
  });
}

/**
 * An upload failure in words. The API's messages already name the limits (length cap, formats, size); a 429
 * says when to retry, from Retry-After, and names what was limited.
 */
export function describeUploadError(error: unknown): string {
  if (error instanceof ApiError && error.status === 429) {
    const wait = error.retryAfterSeconds;
    const when =
      wait === undefined || wait <= 0
        ? 'in a moment'
        : wait < 60
          ? `in ${Math.ceil(wait)} seconds`
          : `in ${Math.ceil(wait / 60)} minute${Math.ceil(wait / 60) === 1 ? '' : 's'}`;
    return `Too many voice uploads for now. Try again ${when}.`;
  }
  return describeError(error);
}
