import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { ApiError, toApiError } from '../src/api/client';
import { describeError, ErrorAlert } from '../src/components/error-alert';

describe('API errors in words', () => {
  it("shows the API's message, never its JSON", () => {
    const error = toApiError(400, { statusCode: 400, error: { code: 'INVALID_AUDIO', message: 'Not an audio file.' } });
    render(<ErrorAlert error={error} />);
    expect(screen.getByRole('alert').textContent).toBe('Not an audio file.');
  });

  it('says when a 429 may be retried, from Retry-After', () => {
    const error = toApiError(
      429,
      { error: { code: 'RATE_LIMITED', message: 'slow down' } },
      new Headers({ 'Retry-After': '120' }),
    );
    expect(describeError(error)).toBe('Too many attempts. Try again in 2 minutes.');
    expect(describeError(new ApiError(429, 'RATE_LIMITED', 'x', undefined, 12))).toBe(
      'Too many attempts. Try again in 12 seconds.',
    );
  });

  it('maps validation details to fields', () => {
    const error = toApiError(400, {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'bad',
        details: [{ field: 'email', message: 'must be a valid email address' }],
      },
    });
    expect(error.fieldErrors()).toEqual({ email: 'must be a valid email address' });
  });

  it('names the status when the body is not the error shape', () => {
    expect(describeError(toApiError(502, '<html>bad gateway</html>'))).toBe('The server answered 502.');
  });
});
