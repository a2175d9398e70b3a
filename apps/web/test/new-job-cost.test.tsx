import { within, fireEvent, screen, waitFor } from '@testing-library/react';
import {
  creditsForDurationMs as sharedCredits,
  estimateOutputMs,
  MAX_TTS_CHARS,
  type PipelineStep,
} from '@voice/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { wavDurationMs } from '../src/features/jobs/new-job/audio-file';
import { estimateCredits } from '../src/features/jobs/new-job/cost';
import { STEP_CATALOG } from '../src/features/jobs/new-job/step-types';
import { installFakeApi, installObjectUrls, renderNewJob, wavFile } from './new-job-helpers';

beforeEach(() => installObjectUrls());
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the cost estimate matches the hold the API places', () => {
  it('uploads: the duration in seconds, rounded up', () => {
    for (const ms of [0, 1, 999, 1000, 1001, 65_432]) {
      expect(estimateCredits({ source: 'audio', durationMs: ms })).toBe(sharedCredits(ms));
    }
    expect(estimateCredits({ source: 'audio', durationMs: undefined })).toBeUndefined();
  });

  it('text: the expected length of the speech at its speed (tts estimateOutputMs)', () => {
    const texts = [
      'Hi.',
      'The quick brown fox jumps over the lazy dog.',
      'x'.repeat(MAX_TTS_CHARS),
      '  spaced   out  ',
    ];
    for (const text of texts) {
      for (const speed of [undefined, 0.5, 1.3, 2]) {
        const step = { op: 'tts', ...(speed !== undefined ? { speed } : {}) } as PipelineStep;
        const held = sharedCredits(estimateOutputMs(step, { text: text.trim().replace(/ {2,}/g, ' ') }) ?? 0);
        expect(estimateCredits({ source: 'text', text, ...(speed !== undefined ? { speed } : {}) })).toBe(held);
      }
    }
  });

  it('generators: the duration asked for', () => {
    for (const op of ['generate_music', 'generate_sfx', 'mood_music'] as const) {
      for (const duration of [0.2, 1, 12.5, 60]) {
        const step = { op, duration } as PipelineStep;
        expect(estimateCredits({ source: 'none', durationSeconds: duration })).toBe(
          sharedCredits(estimateOutputMs(step, {}) ?? 0),
        );
      }
    }
  });

  it("reads a WAV's length from its header", async () => {
    expect(await wavDurationMs(wavFile(2.5))).toBe(2500);
    expect(await wavDurationMs(new File(['not a wav file at all'], 'x.wav'))).toBeUndefined();
  });
});

describe('the cost on the page', () => {
  it('shows the estimate and the balance in minutes and seconds once a file is chosen', async () => {
    installFakeApi({}, 1800);
    renderNewJob('/jobs/new?op=denoise');
    expect(screen.getByTestId('cost-estimate').textContent).toBe('Add an audio file to see the cost.');
    expect((screen.getByRole('button', { name: 'Start job' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Add an audio file first.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Audio file'), { target: { files: [wavFile(62.3)] } });
    await waitFor(() => expect(screen.getByTestId('cost-estimate').textContent).toBe('1 min 03 s'));
    await waitFor(() => expect(screen.getByTestId('credit-balance').textContent).toBe('30 min 00 s'));
    expect(screen.getByTestId('audio-duration').textContent).toBe('1:02');
    expect((screen.getByRole('button', { name: 'Start job' }) as HTMLButtonElement).disabled).toBe(false);
    expect(screen.queryByText(/Not enough credits/)).toBeNull();
  });

  it('says the balance is too low before anything is uploaded, and disables the submit with the reason', async () => {
    const api = installFakeApi({}, 60);
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send').mockImplementation(() => undefined);
    renderNewJob('/jobs/new?op=denoise');
    fireEvent.drop(screen.getByTestId('drop-zone'), { dataTransfer: { files: [wavFile(75, 'long.wav')] } });
    const alert = await screen.findByText(/^Not enough credits: /);
    expect(alert.textContent).toBe(
      'Not enough credits: this job needs 1 min 15 s and your balance is 1 min 00 s. Use a shorter recording or buy credits.Buy credits',
    );
    expect(within(alert).getByRole('link', { name: 'Buy credits' }).getAttribute('href')).toBe('/billing/buy');
    const start = screen.getByRole('button', { name: 'Start job' }) as HTMLButtonElement;
    expect(start.disabled).toBe(true);
    expect(document.getElementById(start.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'Not enough credits for this job.',
    );
    fireEvent.submit(start.closest('form') as HTMLFormElement);
    expect(send).not.toHaveBeenCalled();
    expect(api.posts()).toEqual([]);
    // A shorter file fits.
    fireEvent.change(screen.getByLabelText('Audio file'), { target: { files: [wavFile(59)] } });
    await waitFor(() => expect(screen.getByTestId('cost-estimate').textContent).toBe('59 s'));
    expect(screen.queryByText(/^Not enough credits: /)).toBeNull();
    expect(start.disabled).toBe(false);
  });

  it('counts the TTS text against the limit of the schema', async () => {
    installFakeApi();
    renderNewJob('/jobs/new?op=tts');
    const limit = STEP_CATALOG.byOp.get('tts')?.endpoint?.body.properties?.['text']?.maxLength;
    expect(limit).toBe(10_000);
    const text = screen.getByLabelText('Text to speak');
    expect(screen.getByText('0 / 10,000 characters')).toBeTruthy();
    fireEvent.change(text, { target: { value: 'Hello world, this is a test.' } });
    expect(screen.getByText('28 / 10,000 characters')).toBeTruthy();
    // 28 characters at 15 a second: 2 s of speech held.
    expect(screen.getByTestId('cost-estimate').textContent).toBe('2 s');
    fireEvent.change(text, { target: { value: 'a'.repeat(10_003) } });
    expect(screen.getByText('10,003 / 10,000 characters (3 over the limit)')).toBeTruthy();
    expect(text.getAttribute('aria-invalid')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    await waitFor(() => expect(screen.getByText('Must be at most 10,000 characters.')).toBeTruthy());
  });
});
