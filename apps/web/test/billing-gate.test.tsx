import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { toApiError } from '../src/api/client';
import { ErrorAlert } from '../src/components/error-alert';
import { insufficientCreditsOf } from '../src/features/billing/insufficient-credits';
import { renderPage } from './render-page';

/** The API's 402 body as the payment gate (apps/api payment-gate.ts) writes it. */
const gate402 = (suggested: boolean) =>
  toApiError(402, {
    statusCode: 402,
    error: {
      code: 'INSUFFICIENT_CREDITS',
      message:
        'Not enough credits: this needs 12 min, you have 2 min (10 min short). The Basic package (60 min) covers it.',
      details: {
        required: 720,
        available: 120,
        shortfall: 600,
        unit: 'second',
        shortfallMinutes: 10,
        ...(suggested
          ? { suggestedPackage: { id: 'basic', name: 'Basic', minutes: 60, priceMinor: 2000, currency: 'usd' } }
          : {}),
      },
    },
  });

describe('the payment gate (402 INSUFFICIENT_CREDITS) in the UI', () => {
  it('reads the shortfall and the suggested package from the ApiError’s details', () => {
    expect(insufficientCreditsOf(gate402(true))).toEqual({
      shortfall: 600,
      shortfallMinutes: 10,
      suggestedPackage: { id: 'basic', name: 'Basic', minutes: 60 },
    });
    expect(insufficientCreditsOf(gate402(false))).toEqual({ shortfall: 600, shortfallMinutes: 10 });
    expect(insufficientCreditsOf(toApiError(400, { error: { code: 'INVALID_AUDIO', message: 'x' } }))).toBeUndefined();
    expect(insufficientCreditsOf(new Error('INSUFFICIENT_CREDITS'))).toBeUndefined();
  });

  it('shows the API’s message with a Buy credits button that preselects the suggested package', () => {
    const view = renderPage('/jobs/new', <ErrorAlert error={gate402(true)} title="The job was not started" />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('(10 min short). The Basic package (60 min) covers it.');
    const buy = within(alert).getByRole('link', { name: 'Buy credits' });
    expect(buy.getAttribute('href')).toBe('/billing/buy?package=basic');
    fireEvent.click(buy);
    expect(view.location()).toBe('/billing/buy?package=basic');
  });

  it('links to the buy page itself when no single package covers the shortfall', () => {
    renderPage('/jobs/new', <ErrorAlert error={gate402(false)} />);
    expect(screen.getByRole('link', { name: 'Buy credits' }).getAttribute('href')).toBe('/billing/buy');
  });

  it('is a plain link where the error shows outside the router, and absent for any other error', () => {
    const { unmount } = render(<ErrorAlert error={gate402(true)} />);
    expect(screen.getByRole('link', { name: 'Buy credits' }).getAttribute('href')).toBe('/billing/buy?package=basic');
    unmount();
    render(<ErrorAlert error={toApiError(403, { error: { code: 'EMAIL_NOT_VERIFIED', message: 'Verify first.' } })} />);
    expect(screen.getByRole('alert').textContent).toBe('Verify first.');
    expect(screen.queryByRole('link')).toBeNull();
  });
});
