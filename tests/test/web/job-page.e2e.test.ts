import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { encodeWav } from '@voice/audio';
import { encodeWavPcm16, synthesizeSpeech } from '@voice/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import {
  ApiClient,
  PHONE_VIEWPORT,
  chromiumAvailable,
  describeViolations,
  launchChromium,
  makeNoisySpeech,
  openPage,
  saveScreenshot,
  seriousAxeViolations,
  startTestPlatform,
  type TestPlatform,
  verifyEmailFromMail,
} from '../../src';

const PASSWORD = 'correct horse battery staple';

interface TranscriptWord {
  word: string;
  start: number;
  end: number;
}

/**
 * The job page against the real platform (real models, Temporal, PostgreSQL): progress that moves, the charge
 * confirmed once, the result played, a transcript that follows playback, a failure in words, a cancel.
 */
describe('web app: the job page', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let baseUrl: string;
  let user: ApiClient;
  const email = `job-page-${randomUUID()}@example.com`;
  let denoisedJobId: string;

  before(async () => {
    assert.ok(chromiumAvailable(), 'Chromium is missing: .ci/run installs it (apt-get install chromium)');
    platform = await startTestPlatform();
    // Local signed links name the API as PUBLIC_BASE_URL does (by default http://127.0.0.1:<port>, as the start
    // banner prints it); the app is opened at localhost, as a user may: the players must still reach their
    // media on the app's own origin, through the CSP.
    baseUrl = platform.apiUrl.replace('127.0.0.1', 'localhost');
    browser = await launchChromium();
    ({ context, page, problems } = await openPage(browser, baseUrl));

    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Jo');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // Downloads need a verified email.
    await verifyEmailFromMail(platform.mailbox, email);
    // Jobs are submitted the way a script would, with the account made in the UI.
    user = new ApiClient(baseUrl);
    const login = await user.request('POST', '/api/auth/login', { email, password: PASSWORD });
    assert.equal(login.status, 200, login.text);
    user.accessToken = login.json['accessToken'] as string;
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await platform?.close();
  });

  const submit = async (path: string, wav: Buffer, filename: string, fields: Record<string, string> = {}) => {
    const accepted = await user.upload(path, wav, filename, fields);
    assert.equal(accepted.status, 202, accepted.text);
    return accepted.json['jobId'] as string;
  };
  const overallProgress = () => page.getByRole('progressbar', { name: 'Overall progress' });
  const assertNoSeriousViolations = async () => {
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
  };
  // The test package has no DOM types: what runs in the page is written as expressions.
  const mediaTime = (name: string) =>
    page.evaluate<number>(`document.querySelector('audio[data-player="${name}"]').currentTime`);
  /**
   * Polls `condition` from the test side. (page.waitForFunction would evaluate a string inside the page, which
   * the app's CSP rightly refuses: no 'unsafe-eval'.)
   */
  const until = async (condition: () => Promise<boolean>, what: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
      await page.waitForTimeout(50);
    }
  };
  /** A player's button once its audio is loaded (disabled until then). */
  const enabledButton = (target: Page, name: string) => target.getByRole('button', { name, disabled: false });

  test('a denoise job: progress moves, the download is confirmed and charged once, then the result plays', async () => {
    const noisy = await makeNoisySpeech({ snrDb: 5 });
    const jobId = await submit('/api/audio/denoise', noisy.wav, 'interview.wav');
    denoisedJobId = jobId;
    await page.goto(`/jobs/${jobId}`);
    await overallProgress().waitFor();

    // Watch the page (not the API) until the job is done: what it shows must move on its own.
    const seenProgress = new Set<number>();
    const seenStates = new Set<string>();
    let screenshot: 'none' | 'some step running' | 'denoising' = 'none';
    const deadline = Date.now() + 180_000;
    for (;;) {
      seenProgress.add(Number(await overallProgress().getAttribute('aria-valuenow')));
      const steps = await page.getByRole('list', { name: 'Steps' }).getByRole('listitem').allTextContents();
      for (const [index, text] of steps.entries()) seenStates.add(`${index}:${/Running|Done|Waiting/.exec(text)?.[0]}`);
      // The first running step is the fallback picture; the denoiser at work is the one worth keeping.
      const denoising = steps.some((text) => text.includes('Remove noise') && text.includes('Running'));
      const running = denoising
        ? 'denoising'
        : steps.some((text) => text.includes('Running'))
          ? 'some step running'
          : 'none';
      if (running !== 'none' && screenshot !== 'denoising' && running !== screenshot) {
        await saveScreenshot(page, 'job-running');
        screenshot = running;
      }
      if (await page.getByRole('button', { name: /^Download \(costs/ }).isVisible()) break;
      assert.ok(Date.now() < deadline, `still running; saw ${[...seenProgress].join(', ')}`);
      await page.waitForTimeout(100);
    }
    assert.equal(await overallProgress().getAttribute('aria-valuenow'), '100');
    const intermediate = [...seenProgress].some((value) => value > 0 && value < 100);
    const stepMoved = [...seenStates].some((state) => state.endsWith(':Running'));
    assert.ok(
      intermediate || stepMoved,
      `saw progress ${[...seenProgress].join(', ')} and ${[...seenStates].join(', ')}`,
    );
    const doneSteps = await page.getByRole('list', { name: 'Steps' }).getByRole('listitem').allTextContents();
    assert.ok(doneSteps.length >= 4, doneSteps.join(' | '));
    assert.ok(
      doneSteps.every((text) => text.includes('Done') && text.includes('Elapsed')),
      doneSteps.join(' | '),
    );
    assert.ok(doneSteps.some((text) => text.includes('Remove noise') && text.includes('Model')));

    // The upload plays before anything is paid; the result does not exist on the page until it is.
    await page.getByRole('button', { name: 'Play the original' }).waitFor();
    assert.equal(await page.locator('audio[data-player="after"]').count(), 0, 'no paid audio before the charge');
    await page.getByText('The result plays here once you have downloaded it.').waitFor();

    const status = (await user.status(jobId)).json;
    const cost = Math.ceil((status['outputDurationMs'] as number) / 1000);
    const before = await user.credits();
    const label = `Download (costs ${formatCredits(cost)} of credit)`;

    // Escape declines: focus was in the dialog, and nothing is charged.
    await page.getByRole('button', { name: label }).click();
    const dialog = page.getByRole('dialog', { name: 'Download and pay for this result?' });
    await dialog.waitFor();
    assert.ok(await page.evaluate('document.activeElement?.closest("dialog") !== null'), 'focus moves into the dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.ok(await page.evaluate(`document.activeElement?.textContent === ${JSON.stringify(label)}`), 'focus returns');
    assert.deepEqual(await user.credits(), before);

    await page.getByRole('button', { name: label }).click();
    const saved = page.waitForEvent('download');
    await dialog.getByRole('button', { name: `Pay ${formatCredits(cost)} and download` }).click();
    await page.getByText(`Charged ${formatCredits(cost)} of credit.`).waitFor();
    assert.match((await saved).suggestedFilename(), /^interview-denoise\.wav$/);
    const charged = await user.credits();
    assert.equal(charged.creditsRemaining, before.creditsRemaining - cost + before.creditsHeld - charged.creditsHeld);

    // Paid: the result's waveform, and it plays.
    await enabledButton(page, 'Play the result').click();
    await page.getByRole('button', { name: 'Pause the result' }).waitFor();
    await until(async () => (await mediaTime('after')) > 0.3, 'the result is playing');
    await page.getByRole('button', { name: 'Pause the result' }).click();

    // A second download says it is paid, and costs nothing more.
    const savedAgain = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download again (already paid)' }).click();
    await page.getByText(/Already paid .*: this download cost nothing more\./).waitFor();
    await savedAgain;
    assert.deepEqual(await user.credits(), charged);
    await saveScreenshot(page, 'job-done-denoise');
    await assertNoSeriousViolations();
    assert.deepEqual(problems, []);
  });

  test('a transcription: the transcript follows playback word by word, a word seeks, SRT and VTT download', async () => {
    const first = await synthesizeSpeech('Open the window before the meeting starts.', { sampleRate: 16_000 });
    const second = await synthesizeSpeech('Then close the door quietly.', { sampleRate: 16_000 });
    const speech = new Float32Array(first.samples.length + 8_000 + second.samples.length);
    speech.set(first.samples, 0);
    speech.set(second.samples, first.samples.length + 8_000);
    const jobId = await submit('/api/audio/stt', encodeWavPcm16(speech, 16_000), 'meeting.wav', { language: 'en' });
    await page.goto(`/jobs/${jobId}`);
    await page.getByRole('button', { name: /^Download \(costs/ }).waitFor({ timeout: 180_000 });
    // The words are paid content: a count, no text, until the download.
    await page.getByText(/The transcript \(\d+ words\) appears here once you have downloaded it\./).waitFor();
    assert.equal(await page.getByRole('group', { name: /^Transcript/ }).count(), 0);

    await page.getByRole('button', { name: /^Download \(costs/ }).click();
    const saved = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Pay .* and download$/ }).click();
    await saved;
    const transcript = page.getByRole('group', { name: /^Transcript/ });
    await transcript.waitFor();
    const words = await transcriptWords(jobId);
    assert.ok(words.length >= 8, JSON.stringify(words));

    // Playing highlights the word being spoken.
    await enabledButton(page, 'Play the original').click();
    await transcript.locator('[aria-current="true"]').first().waitFor({ timeout: 10_000 });
    const highlighted = await transcript.locator('[aria-current="true"]').textContent();
    assert.ok(highlighted && highlighted.length > 0);
    await saveScreenshot(page, 'job-stt-transcript');

    // Choosing a later word seeks there, and that word becomes the current one.
    const targetIndex = words.findIndex((word) => /door/i.test(word.word));
    const target = words[targetIndex >= 0 ? targetIndex : words.length - 2];
    assert.ok(target, 'a later word to choose');
    const targetButton = words.indexOf(target);
    await transcript.getByRole('button').nth(targetButton).click();
    const sought = await mediaTime('before');
    assert.ok(sought >= target.start - 0.05 && sought < target.end + 1, `sought to ${sought}, word at ${target.start}`);
    // Playing on from there: the chosen word (or, a frame later, one after it) is the current one.
    const currentWord = () =>
      page.evaluate<number>(
        `[...document.querySelectorAll('[role="group"] button')].findIndex((b) => b.getAttribute('aria-current') === 'true')`,
      );
    await until(async () => (await currentWord()) >= targetButton, `word ${targetButton} or later is current`);
    await page.getByRole('button', { name: 'Pause the original' }).click();

    const srt = await page.getByRole('link', { name: 'Download SRT' }).getAttribute('href');
    const vtt = await page.getByRole('link', { name: 'Download VTT' }).getAttribute('href');
    assert.ok(srt && vtt);
    const srtText = await (await page.request.get(srt)).text();
    const vttText = await (await page.request.get(vtt)).text();
    assert.match(srtText, /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}/);
    assert.match(vttText, /^WEBVTT/);
    assert.match(vttText, /window/i);
    await assertNoSeriousViolations();
    assert.deepEqual(problems, []);
  });

  test('a job that fails says why in words; a missing or foreign job is "Job not found"', async () => {
    const before = await user.credits();
    const jobId = await submit('/api/audio/denoise', encodeWav(new Float32Array(16_000 * 3), 16_000), 'silence.wav');
    await page.goto(`/jobs/${jobId}`);
    const alert = page.getByRole('alert').filter({ hasText: 'This job failed' });
    await alert.waitFor({ timeout: 180_000 });
    assert.match((await alert.textContent()) ?? '', /Quality check failed: output is silent/);
    assert.match((await alert.textContent()) ?? '', /Nothing was charged/);
    assert.equal(await page.getByRole('button', { name: /^Download/ }).count(), 0);
    assert.equal((await user.credits()).creditsRemaining, before.creditsRemaining, 'a failed job costs nothing');
    await saveScreenshot(page, 'job-failed');
    await assertNoSeriousViolations();

    await page.goto(`/jobs/${randomUUID()}`);
    await page.getByRole('heading', { name: 'Job not found' }).waitFor();
    const stranger = platform.api();
    await stranger.register(`stranger-${randomUUID()}@example.com`);
    const theirs = await stranger.upload('/api/audio/denoise', encodeWav(new Float32Array(16_000), 16_000), 'x.wav');
    assert.equal(theirs.status, 202, theirs.text);
    await page.goto(`/jobs/${theirs.json['jobId'] as string}`);
    await page.getByRole('heading', { name: 'Job not found' }).waitFor();
    await page.goto('/jobs/not-a-job-id');
    await page.getByRole('heading', { name: 'Job not found' }).waitFor();
    assert.deepEqual(problems, []);
  });

  test('a running job is cancelled after confirmation: it shows Cancelled and its hold is released', async () => {
    const before = await user.credits();
    const long = await makeNoisySpeech({ snrDb: 5, minSeconds: 120 });
    const jobId = await submit('/api/audio/denoise', long.wav, 'long.wav');
    await page.goto(`/jobs/${jobId}`);
    await page
      .getByRole('list', { name: 'Steps' })
      .getByRole('listitem')
      .filter({ hasText: 'Remove noise' })
      .filter({ hasText: 'Running' })
      .waitFor({ timeout: 120_000 });
    assert.ok((await user.credits()).creditsHeld >= Math.floor(long.durationSeconds), 'the input is on hold');

    await page.getByRole('button', { name: 'Cancel job' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this job?' });
    await dialog.waitFor();
    assert.match(
      (await dialog.textContent()) ?? '',
      /Nothing is charged, and the .* of credit held for it is released/,
    );
    await dialog.getByRole('button', { name: 'Cancel the job' }).click();
    await page.getByRole('heading', { name: 'Cancelled' }).waitFor({ timeout: 30_000 });
    await page.getByText(/the credit held for this job was released\. Your balance is/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel job' }).count(), 0);
    // Back to where it was: the earlier tests' results, completed but not all downloaded, still hold theirs.
    const after = await user.credits();
    assert.equal(after.creditsHeld, before.creditsHeld);
    assert.equal(after.creditsRemaining, before.creditsRemaining);
    assert.equal((await user.status(jobId)).json['status'], 'cancelled');
    assert.deepEqual(problems, []);
  });

  test('at 360 px the job page fits without horizontal scrolling and has no serious axe violations', async () => {
    const phone = await openPage(browser, baseUrl, PHONE_VIEWPORT);
    await phone.page.goto('/sign-in');
    await phone.page.getByLabel('Email').fill(email);
    await phone.page.getByLabel('Password').fill(PASSWORD);
    await phone.page.getByRole('button', { name: 'Sign in' }).click();
    await phone.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await phone.page.goto(`/jobs/${denoisedJobId}`);
    // Already paid: the links come back for free, and both players load.
    await phone.page.getByRole('button', { name: 'Play the result' }).waitFor();
    await phone.page.getByRole('button', { name: 'Download again (already paid)' }).waitFor();
    await enabledButton(phone.page, 'Play the original').waitFor();
    await enabledButton(phone.page, 'Play the result').waitFor();
    const overflow = await phone.page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (overflow ${overflow} px)`);
    await saveScreenshot(phone.page, 'job-phone');
    const violations = await seriousAxeViolations(phone.page);
    assert.equal(violations.length, 0, describeViolations(violations));
    assert.deepEqual(phone.problems, []);
    await phone.context.close();
  });

  /** The transcript JSON as the (already paid, so free) download link serves it. */
  async function transcriptWords(jobId: string): Promise<TranscriptWord[]> {
    const download = await user.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(download.json['alreadyCharged'], true);
    const transcript = (await (await fetch(download.json['url'] as string)).json()) as { words: TranscriptWord[] };
    return transcript.words;
  }
});

/** The app's own wording of a credit amount (apps/web/src/lib/format.ts). */
function formatCredits(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes === 0 ? `${rest} s` : `${minutes} min ${String(rest).padStart(2, '0')} s`;
}
