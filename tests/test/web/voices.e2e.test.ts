import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { encodeWavPcm16, synthesizeSpeech } from '@voice/testkit';
import type { Browser, Locator, Page } from 'playwright-core';

import {
  PHONE_VIEWPORT,
  chromiumAvailable,
  describeViolations,
  launchChromium,
  openPage,
  saveScreenshot,
  seriousAxeViolations,
  startTestPlatform,
  type TestPlatform,
} from '../../src';

/** A low cap, so a "too long" sample is a small file: the API checks the length from the header. */
const MAX_SAMPLE_SECONDS = 20;
const PASSWORD = 'correct horse battery staple';

/** The part of HTMLMediaElement the test reads (this package compiles without the DOM lib). */
interface MediaElement {
  readyState: number;
  duration: number;
  addEventListener(type: 'loadedmetadata', listener: () => void, options: { once: boolean }): void;
}

async function signUp(page: Page, name: string): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(`voices-${randomUUID()}@example.com`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** Flips a voice's public switch and waits until the API has saved it. */
async function setVisibility(page: Page, toggle: Locator): Promise<void> {
  const saved = page.waitForResponse((response) => response.request().method() === 'PATCH' && response.ok());
  await toggle.click();
  await saved;
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

async function assertAccessible(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  assert.equal(violations.length, 0, describeViolations(violations));
}

describe('web app: the voice library', { timeout: 300_000 }, () => {
  let platform: TestPlatform;
  let browser: Browser;
  let speechWav: Buffer;

  before(async () => {
    assert.ok(chromiumAvailable(), 'Chromium is missing: .ci/run installs it (apt-get install chromium)');
    platform = await startTestPlatform({
      VOICE_SAMPLE_MAX_SECONDS: String(MAX_SAMPLE_SECONDS),
    });
    browser = await launchChromium();
    // A few seconds of real (synthetic) speech: flite's male voice, as a 16 kHz WAV.
    const speech = await synthesizeSpeech('Please call Stella and ask her to bring these things with her.', {
      voice: 'awb',
      sampleRate: 16_000,
    });
    speechWav = encodeWavPcm16(speech.samples, speech.sampleRate);
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
  });

  test('upload, measure, record, share, use and delete a voice; a second user sees the shared one on a phone', async (t) => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl);
    await signUp(page, 'Vera');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Voices' }).click();
    await page.getByRole('heading', { name: 'Voice library', level: 1 }).waitFor();
    await page.getByText('No voices yet. Add one above.').waitFor();
    await saveScreenshot(page, 'voices');
    await assertAccessible(page);

    const form = page.getByRole('form', { name: 'Add a voice' });
    const chooseFile = form.getByLabel('Drop an audio file here, or choose a file');
    const alert = form.getByRole('alert');

    // Not audio: the API's 415 is shown in words, and nothing is added.
    await form.getByLabel('Name').fill('Not a voice');
    await chooseFile.setInputFiles({ name: 'notes.wav', mimeType: 'audio/wav', buffer: Buffer.from('just text\n') });
    await form.getByRole('button', { name: 'Upload voice' }).click();
    await alert.filter({ hasText: 'The voice was not added' }).waitFor();
    const notAudio = await alert.innerText();
    assert.doesNotMatch(notAudio, /[{}]|"code"/, 'no raw JSON');
    assert.match(notAudio, /not .*audio|format/i, notAudio);

    // Too long: the API checks the header against VOICE_SAMPLE_MAX_SECONDS and names the limit.
    const silence = encodeWavPcm16(new Float32Array(8_000 * (MAX_SAMPLE_SECONDS + 1)), 8_000);
    await chooseFile.setInputFiles({ name: 'long.wav', mimeType: 'audio/wav', buffer: silence });
    await form.getByRole('button', { name: 'Upload voice' }).click();
    await alert.filter({ hasText: `between 1 s and ${MAX_SAMPLE_SECONDS} s` }).waitFor();

    // A real speech sample from a file, with a preview before it is sent.
    await form.getByLabel('Name').fill('Stella reader');
    await form.getByLabel('Description (optional)').fill('Synthetic male voice, reading');
    await chooseFile.setInputFiles({ name: 'stella.wav', mimeType: 'audio/wav', buffer: speechWav });
    await form.getByText('stella.wav').waitFor();
    assert.equal(await form.getByLabel('Preview of the sample').count(), 1);
    // A slow uplink (DevTools network emulation), so the upload's progress is on screen long enough to see.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 60_000,
    });
    const uploaded = page.waitForResponse((response) => response.url().endsWith('/api/voices/upload'));
    await form.getByRole('button', { name: 'Upload voice' }).click();
    const progress = form.getByRole('progressbar', { name: /^Uploading… \d+%$/ });
    await progress.waitFor();
    const fraction = Number(await progress.getAttribute('value'));
    assert.ok(fraction >= 0 && fraction < 1, `progress ${fraction}`);
    const voiceId = ((await (await uploaded).json()) as { id: string }).id;
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page.getByRole('status').filter({ hasText: '“Stella reader” was added to your voices.' }).waitFor();

    const yours = page.getByRole('list', { name: 'your voices' });
    const card = yours.getByRole('article', { name: 'Stella reader' });
    await card.waitFor();
    // Characteristics in words: flite's awb is a male voice, so its pitch is low (or medium at most).
    const pitch = await card.getByText(/pitch \(\d+ Hz\)$/).innerText();
    assert.match(pitch, /^(Low|Medium) pitch \(\d+ Hz\)$/, pitch);
    await card.getByText(/pace \(\d+\.\d syllables\/s\)$/).waitFor();
    await card.getByText(/\((−)?\d+ LUFS\)$/).waitFor();
    const plot = card.getByRole('img', { name: /^Long-term average spectrum/ });
    const line = await plot.locator('path').nth(1).getAttribute('d');
    assert.equal(line?.split(/[ML]/).filter(Boolean).length, 24, 'one point per band');
    assert.match((await plot.getAttribute('aria-label')) ?? '', /strongest around \d/);
    assert.equal(await form.getByLabel('Name').inputValue(), '', 'the form was reset for the next voice');
    await saveScreenshot(page, 'voices-uploaded');
    await assertAccessible(page);

    // Recorded from the (fake) microphone, converted to WAV in the browser, previewed, then uploaded.
    await form.getByLabel('Record with the microphone').check();
    await form.getByRole('button', { name: 'Start recording' }).click();
    const timer = form.getByRole('timer', { name: 'Recording time' });
    await timer.filter({ hasText: '0:01' }).waitFor();
    await saveScreenshot(page, 'voices-recording');
    await timer.filter({ hasText: '0:03' }).waitFor();
    await form.getByRole('button', { name: 'Stop recording' }).click();
    await form.getByText(/^Your recording \(\d+ KB\)$/).waitFor();
    const previewSeconds = await form.getByLabel('Preview of the sample').evaluate((element) => {
      const audio = element as unknown as MediaElement;
      return new Promise<number>((resolve) =>
        audio.readyState >= 1
          ? resolve(audio.duration)
          : audio.addEventListener('loadedmetadata', () => resolve(audio.duration), { once: true }),
      );
    });
    assert.ok(previewSeconds > 2.5 && previewSeconds < 6, `the preview plays the recording (${previewSeconds} s)`);
    await form.getByLabel('Name').fill('Microphone tone');
    await form.getByRole('button', { name: 'Upload voice' }).click();
    await page.getByRole('status').filter({ hasText: '“Microphone tone” was added to your voices.' }).waitFor();
    const recorded = yours.getByRole('article', { name: 'Microphone tone' });
    await recorded.getByRole('img').waitFor();
    // Chromium's fake microphone plays a tone; the analysis takes any periodic sound as voiced.
    t.diagnostic(`recorded tone measured as: ${(await recorded.locator('dd').allInnerTexts()).join(' | ')}`);

    // Public and back is saved: it survives a reload.
    const toggle = card.getByRole('switch', { name: 'Public' });
    const badge = (text: string) => card.locator('span', { hasText: new RegExp(`^${text}$`) });
    assert.equal(await toggle.getAttribute('aria-checked'), 'false');
    await badge('Private').waitFor();
    await setVisibility(page, toggle);
    await page.reload();
    await badge('Public').waitFor();
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');

    // A second user, on a phone, finds it under "Shared by others", usable but not theirs to change.
    const phone = await openPage(browser, platform.apiUrl, PHONE_VIEWPORT);
    await signUp(phone.page, 'Otto');
    await phone.page.goto('/voices');
    const shared = phone.page.getByRole('list', { name: 'voices shared by others' });
    const sharedCard = shared.getByRole('article', { name: 'Stella reader' });
    await sharedCard.getByRole('img', { name: /^Long-term average spectrum/ }).waitFor();
    assert.equal(await sharedCard.getByRole('switch').count(), 0);
    assert.equal(await sharedCard.getByRole('button', { name: 'Delete' }).count(), 0);
    assert.equal(await phone.page.getByRole('article', { name: 'Microphone tone' }).count(), 0, 'still private');
    const overflow = await horizontalOverflow(phone.page);
    assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (overflow ${overflow} px)`);
    await saveScreenshot(phone.page, 'voices-phone');
    await assertAccessible(phone.page);
    assert.deepEqual(phone.problems, []);
    await phone.context.close();

    // Private again, and that too survives a reload.
    await setVisibility(page, toggle);
    await page.reload();
    await badge('Private').waitFor();
    assert.equal(await toggle.getAttribute('aria-checked'), 'false');

    // "Use this voice" opens a voice clone job with the voice filled in (TTS takes only its model's voices).
    await card.getByRole('link', { name: 'Use this voice' }).click();
    await page.waitForURL('**/jobs/new?**');
    const target = new URL(page.url());
    assert.equal(target.pathname, '/jobs/new');
    assert.equal(target.searchParams.get('op'), 'voice_clone');
    assert.equal(target.searchParams.get('target_voice_id'), voiceId);
    await page.goBack();

    // Delete asks first; "Keep it" keeps it, "Delete voice" removes it for good.
    await card.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “Stella reader”?' });
    await dialog.waitFor();
    await assertAccessible(page);
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await card.count(), 1);
    await card.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete voice' }).click();
    await card.waitFor({ state: 'detached' });
    await page.reload();
    await yours.getByRole('article', { name: 'Microphone tone' }).waitFor();
    assert.equal(await card.count(), 0, 'gone after a reload');

    assert.deepEqual(problems, []);
    await context.close();
  });
});
