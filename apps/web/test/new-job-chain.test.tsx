import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { mapApiFieldErrors } from '../src/features/jobs/new-job/chain';
import { installFakeApi, installObjectUrls, json, renderNewJob, VOICE_ID, wavFile } from './new-job-helpers';

const stepTitles = () => screen.getAllByRole('heading', { level: 3 }).map((heading) => heading.textContent);
const step = (name: string) => screen.getByRole('group', { name });

beforeEach(() => installObjectUrls());
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the chain builder', () => {
  it('adds, reorders and removes steps with keyboard-operable buttons', async () => {
    installFakeApi();
    renderNewJob('/jobs/new?op=denoise');
    expect(stepTitles()).toEqual(['Step 1: Denoise']);
    // The only step cannot be removed.
    expect(
      (within(step('Step 1: Denoise')).getByRole('button', { name: 'Remove' }) as HTMLButtonElement).disabled,
    ).toBe(true);

    fireEvent.change(screen.getByLabelText('Next step'), { target: { value: 'dub' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add step' }));
    fireEvent.change(screen.getByLabelText('Next step'), { target: { value: 'normalize' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add step' }));
    expect(stepTitles()).toEqual(['Step 1: Denoise', 'Step 2: Dub', 'Step 3: Normalize']);
    // Each added step has its own generated form.
    expect(within(step('Step 2: Dub')).getByLabelText('Target language')).toBeTruthy();
    expect(within(step('Step 3: Normalize')).getByLabelText('Target LUFS')).toBeTruthy();

    const moveUp = within(step('Step 2: Dub')).getByRole('button', { name: 'Move up' });
    moveUp.focus();
    fireEvent.click(moveUp);
    expect(stepTitles()).toEqual(['Step 1: Dub', 'Step 2: Denoise', 'Step 3: Normalize']);
    // The button moved with its step and kept the focus; at the top it cannot move further.
    expect(document.activeElement).toBe(moveUp);
    expect(moveUp.getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(moveUp);
    expect(stepTitles()).toEqual(['Step 1: Dub', 'Step 2: Denoise', 'Step 3: Normalize']);

    fireEvent.click(within(step('Step 1: Dub')).getByRole('button', { name: 'Move down' }));
    expect(stepTitles()).toEqual(['Step 1: Denoise', 'Step 2: Dub', 'Step 3: Normalize']);
    expect(
      within(step('Step 3: Normalize')).getByRole('button', { name: 'Move down' }).getAttribute('aria-disabled'),
    ).toBe('true');

    fireEvent.click(within(step('Step 3: Normalize')).getByRole('button', { name: 'Remove' }));
    expect(stepTitles()).toEqual(['Step 1: Denoise', 'Step 2: Dub']);
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Steps' }));
    // Ending on a step other than normalize: the API appends one, and the page says so.
    expect(screen.getByText(/ends with a loudness normalisation/)).toBeTruthy();
  });

  it('offers only audio steps after a step that makes audio, which stays first', () => {
    installFakeApi();
    renderNewJob('/jobs/new?op=tts');
    const next = screen.getByLabelText('Next step');
    const offered = within(next)
      .getAllByRole('option')
      .map((option) => option.getAttribute('value'));
    expect(offered).toContain('voice_clone');
    expect(offered).not.toContain('tts');
    expect(offered).not.toContain('generate_music');
    fireEvent.change(next, { target: { value: 'voice_clone' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add step' }));
    expect(
      within(step('Step 2: Voice clone')).getByRole('button', { name: 'Move up' }).getAttribute('aria-disabled'),
    ).toBe('true');
    expect(within(step('Step 1: TTS')).getByRole('button', { name: 'Move down' }).getAttribute('aria-disabled')).toBe(
      'true',
    );
    // The text replaces the audio input.
    expect(screen.queryByLabelText('Audio file')).toBeNull();
    expect(screen.getByLabelText('Text to speak')).toBeTruthy();
  });

  it('validates every step before submitting and sends nothing while one is invalid', async () => {
    const api = installFakeApi();
    const send = vi.spyOn(XMLHttpRequest.prototype, 'send').mockImplementation(() => undefined);
    renderNewJob('/jobs/new?op=denoise');
    fireEvent.change(screen.getByLabelText('Audio file'), { target: { files: [wavFile(1)] } });
    fireEvent.change(screen.getByLabelText('Next step'), { target: { value: 'dub' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add step' }));
    await waitFor(() => expect(screen.getByTestId('cost-estimate').textContent).toBe('1 s'));
    fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    const target = within(step('Step 2: Dub')).getByLabelText('Target language');
    await waitFor(() => expect(target.getAttribute('aria-invalid')).toBe('true'));
    expect(within(step('Step 2: Dub')).getByText('Required.')).toBeTruthy();
    expect(send).not.toHaveBeenCalled();
    expect(api.posts()).toEqual([]);
    // The message follows the edit once the submit has been tried.
    fireEvent.change(target, { target: { value: 'es' } });
    expect(target.getAttribute('aria-invalid')).toBeNull();
  });
});

describe('submitting a job', () => {
  it("maps the API's field errors to the step and field they name, and reuses the Idempotency-Key on a retry", async () => {
    const api = installFakeApi({
      'POST /api/audio/tts': () =>
        json(400, {
          statusCode: 400,
          error: {
            code: 'VALIDATION_FAILED',
            message: 'Invalid request body: then.0.target_voice_id: must be a voice id (UUID) from /api/voices',
            details: [{ field: 'then.0.target_voice_id', message: 'must be a voice id (UUID) from /api/voices' }],
          },
        }),
    });
    renderNewJob(`/jobs/new?op=tts&voice_id=${VOICE_ID}&text=Hello%20there`);
    // A library voice in a TTS link becomes a voice clone of the speech.
    expect(stepTitles()).toEqual(['Step 1: TTS', 'Step 2: Voice clone']);
    // Once the library has loaded, the voice is a select of its voices, the linked one chosen.
    await waitFor(() =>
      expect(within(step('Step 2: Voice clone')).getByRole('option', { name: 'Narrator' })).toBeTruthy(),
    );
    const voice = within(step('Step 2: Voice clone')).getByLabelText('Target voice ID') as HTMLSelectElement;
    expect(voice.value).toBe(VOICE_ID);

    const start = screen.getByRole('button', { name: 'Start job' });
    act(() => {
      fireEvent.click(start);
      fireEvent.click(start);
    });
    await waitFor(() =>
      expect(within(step('Step 2: Voice clone')).getByText('Must be a voice id (UUID) from /api/voices.')).toBeTruthy(),
    );
    expect(voice.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toContain('Some steps need a change');
    // A double click sent one request: the text, the TTS fields and the voice clone as `then`.
    expect(api.posts()).toHaveLength(1);
    const [first] = api.posts();
    expect(first?.body).toEqual({ text: 'Hello there', then: [{ op: 'voice_clone', target_voice_id: VOICE_ID }] });
    const key = first?.headers.get('Idempotency-Key') ?? '';
    expect(key).toMatch(/^[0-9a-f-]{36}$/);

    fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    await waitFor(() => expect(api.posts()).toHaveLength(2));
    expect(api.posts()[1]?.headers.get('Idempotency-Key')).toBe(key);
    fireEvent.change(screen.getByLabelText('Text to speak'), { target: { value: 'Hello again' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    await waitFor(() => expect(api.posts()).toHaveLength(3));
    expect(api.posts()[2]?.headers.get('Idempotency-Key')).not.toBe(key);
  });

  it('lays out generator fields as the endpoint wants them, then opens the job and refreshes the balance', async () => {
    const api = installFakeApi({
      'POST /api/audio/generate-music': () =>
        json(202, { jobId: '0b9d6f0e-1111-4a4a-8b8b-123456789abc', status: 'pending', statusUrl: '/x' }),
    });
    renderNewJob('/jobs/new?op=generate_music&genre=lofi&duration=12&tempo=90');
    await waitFor(() => expect(screen.getByTestId('cost-estimate').textContent).toBe('12 s'));
    const creditReads = () => api.requests.filter((request) => request.path === '/api/user/credits').length;
    const before = creditReads();
    fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    await screen.findByRole('heading', { name: 'Job 0b9d6f0e-1111-4a4a-8b8b-123456789abc' });
    expect(api.posts()[0]?.body).toEqual({ genre: 'lofi', duration: 12, parameters: { tempo: 90 } });
    await waitFor(() => expect(creditReads()).toBeGreaterThan(before));
  });

  it('maps POST /api/jobs errors by step index, and the first step of a JSON job from the top or its parameters', () => {
    expect(
      mapApiFieldErrors(
        { kind: 'upload', path: '/api/jobs', steps: [] },
        { 'steps.1.target_language': 'must be a language code' },
      ),
    ).toEqual({ 'steps.1.target_language': 'Must be a language code.' });
    expect(
      mapApiFieldErrors(
        { kind: 'json', path: '/api/audio/tts', body: {}, containers: ['parameters'] },
        { 'parameters.pitch': 'too far', voice_id: 'unknown', text: 'must not be empty', 'then.2.model': 'x' },
      ),
    ).toEqual({
      'steps.0.pitch': 'Too far.',
      'steps.0.voice_id': 'Unknown.',
      text: 'Must not be empty.',
      'steps.3.model': 'X.',
    });
  });

  it('prefills a step and its fields from the URL', () => {
    installFakeApi();
    renderNewJob('/jobs/new?op=denoise&noise_level=aggressive');
    expect((screen.getByRole('radio', { name: 'Denoise' }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Noise level') as HTMLSelectElement).value).toBe('aggressive');
  });

  it("a voice library link fills the voice clone's target voice", async () => {
    installFakeApi();
    renderNewJob(`/jobs/new?op=voice_clone&voice_id=${VOICE_ID}`);
    expect(stepTitles()).toEqual(['Step 1: Voice clone']);
    await waitFor(() => expect(screen.getByRole('option', { name: 'Narrator' })).toBeTruthy());
    expect((screen.getByLabelText('Target voice ID') as HTMLSelectElement).value).toBe(VOICE_ID);
    // Library voices are grouped as the user's own.
    expect(screen.getByRole('group', { name: 'Your voices' })).toBeTruthy();
  });

  it('uploads the file and the steps as multipart with the progress shown', async () => {
    installFakeApi();
    let sent: { xhr: XMLHttpRequest; form: FormData } | undefined;
    const headers: Record<string, string> = {};
    vi.spyOn(XMLHttpRequest.prototype, 'open').mockImplementation(() => undefined);
    vi.spyOn(XMLHttpRequest.prototype, 'setRequestHeader').mockImplementation((name: string, value: string) => {
      headers[name] = value;
    });
    vi.spyOn(XMLHttpRequest.prototype, 'send').mockImplementation(function (this: XMLHttpRequest, body) {
      sent = { xhr: this, form: body as FormData };
    });
    renderNewJob('/jobs/new?op=denoise&noise_level=light');
    fireEvent.change(screen.getByLabelText('Audio file'), { target: { files: [wavFile(2, 'take-1.wav')] } });
    await waitFor(() => expect(screen.getByTestId('cost-estimate').textContent).toBe('2 s'));
    fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    await waitFor(() => expect(sent).toBeDefined());
    expect(JSON.parse(String(sent?.form.get('steps')))).toEqual([{ op: 'denoise', noise_level: 'light' }]);
    expect((sent?.form.get('audio_file') as File).name).toBe('take-1.wav');
    expect(headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
    act(() => {
      sent?.xhr.upload.dispatchEvent(new ProgressEvent('progress', { lengthComputable: true, loaded: 42, total: 100 }));
    });
    expect(screen.getByLabelText('Uploading… 42%')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Starting…' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows the API's refusal of a file next to the file input", async () => {
    installFakeApi();
    const answer = {
      status: 415,
      body: { statusCode: 415, error: { code: 'INVALID_AUDIO', message: 'The file is not audio (detected: text).' } },
    };
    vi.spyOn(XMLHttpRequest.prototype, 'open').mockImplementation(() => undefined);
    vi.spyOn(XMLHttpRequest.prototype, 'setRequestHeader').mockImplementation(() => undefined);
    vi.spyOn(XMLHttpRequest.prototype, 'send').mockImplementation(function (this: XMLHttpRequest) {
      Object.defineProperty(this, 'status', { value: answer.status });
      Object.defineProperty(this, 'responseText', { value: JSON.stringify(answer.body) });
      this.onload?.(new ProgressEvent('load'));
    });
    // jsdom has no media engine: an <audio> given this file fails as a browser's does.
    vi.spyOn(HTMLMediaElement.prototype, 'src', 'set').mockImplementation(function (this: HTMLMediaElement) {
      queueMicrotask(() => this.onerror?.(new Event('error')));
    });
    renderNewJob('/jobs/new?op=denoise');
    const notAudio = new File(['hello, not audio'], 'notes.wav', { type: 'audio/wav' });
    fireEvent.change(screen.getByLabelText('Audio file'), { target: { files: [notAudio] } });
    await waitFor(() => expect(screen.getByTestId('audio-duration').textContent).toBe('length unknown'));
    // The browser cannot price it, so the API decides: the submit is allowed.
    expect(screen.getByTestId('cost-estimate').textContent).toBe('Known once the file is uploaded.');
    fireEvent.click(screen.getByRole('button', { name: 'Start job' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The file is not audio (detected: text).');
    expect(alert.closest('#audio-file-error')).not.toBeNull();
    expect(screen.getByLabelText('Audio file').getAttribute('aria-describedby')).toBe('audio-file-error');
  });
});
