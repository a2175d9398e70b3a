import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { ApiError, toApiError } from '../src/api/client';
import { describeUploadError } from '../src/features/voices/voice-queries';
import { VoiceUploadForm } from '../src/features/voices/voice-upload-form';

describe('VoiceUploadForm', () => {
  it('asks for a name and a sample before sending anything', () => {
    const onUploaded = vi.fn();
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send');
    render(
      <QueryClientProvider client={new QueryClient()}>
        <VoiceUploadForm onUploaded={onUploaded} />
      </QueryClientProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Upload voice' }));
    expect(screen.getByText('Give the voice a name.')).toBeTruthy();
    expect(screen.getByText('Choose an audio file.')).toBeTruthy();
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(send).not.toHaveBeenCalled();
    expect(onUploaded).not.toHaveBeenCalled();
    send.mockRestore();
  });

  it('labels every field and offers private (the default) or public', () => {
    render(
      <QueryClientProvider client={new QueryClient()}>
        <VoiceUploadForm onUploaded={() => undefined} />
      </QueryClientProvider>,
    );
    expect(screen.getByLabelText('Description (optional)').tagName).toBe('TEXTAREA');
    expect((screen.getByLabelText('Private: only you') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText(/^Public:/) as HTMLInputElement).checked).toBe(false);
    expect(screen.getByLabelText('Drop an audio file here, or choose a file').getAttribute('type')).toBe('file');
  });
});

describe('upload errors in words', () => {
  it('says when a rate-limited upload may be retried, from Retry-After', () => {
    const limited = toApiError(
      429,
      { error: { code: 'RATE_LIMITED', message: 'Too many voice uploads: at most 10 per 60 s' } },
      new Headers({ 'Retry-After': '42' }),
    );
    expect(describeUploadError(limited)).toBe('Too many voice uploads for now. Try again in 42 seconds.');
    expect(describeUploadError(new ApiError(429, 'RATE_LIMITED', 'x', undefined, 61))).toBe(
      'Too many voice uploads for now. Try again in 2 minutes.',
    );
    expect(describeUploadError(new ApiError(429, 'RATE_LIMITED', 'x'))).toBe(
      'Too many voice uploads for now. Try again in a moment.',
    );
  });

  it("keeps the API's own sentence for a sample that is too long or not audio", () => {
    const tooLong = toApiError(422, {
      error: { code: 'INVALID_VOICE_SAMPLE', message: 'A voice sample must last between 1 s and 5 minutes (300 s)' },
    });
    expect(describeUploadError(tooLong)).toBe('A voice sample must last between 1 s and 5 minutes (300 s)');
  });
});
