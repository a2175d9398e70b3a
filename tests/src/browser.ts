import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';

import { linkIn, type Mailbox, waitForMail } from '@voice/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: Playwright's own browser download cannot work offline, so .ci/run installs this one. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** Screenshots of each page, kept after the run for a person to look at. */
export const ARTIFACTS_DIR = path.join(repoRoot, '.data', 'test-artifacts', 'web');

export const PHONE_VIEWPORT = { width: 360, height: 740 } as const;
export const DESKTOP_VIEWPORT = { width: 1280, height: 860 } as const;

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Headless Chromium with fake media devices, so MediaRecorder has a microphone (a generated tone) to record.
 * `--no-sandbox` because CI runs as root.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/**
 * A page that fails the test on anything the user would not see but must not happen: a CSP violation (the app
 * must run with no inline script) or an uncaught exception. Read `problems` at the end of the test.
 */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  viewport: { width: number; height: number } = DESKTOP_VIEWPORT,
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, permissions: ['microphone'] });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`CSP: ${message.text()}`);
    }
  });
  return { context, page, problems };
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

let axeSource: Promise<string> | undefined;

/**
 * axe-core's serious and critical violations on the current page. The script is evaluated through the
 * DevTools protocol, which the page's CSP does not govern, so the app's policy stays as strict as in production.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map((node) => ({ target: node.target })),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** A readable list of violations for an assertion message. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    .join('\n');
}

/**
 * Opens the verification link mailed to `email` (as JSON: the browser flow has its own test), so an account made
 * in the UI can download. Register mails it in the background, so this waits for it.
 */
export async function verifyEmailFromMail(mailbox: Mailbox, email: string): Promise<void> {
  const [mail] = await waitForMail(mailbox, email, { subject: /confirm/i });
  if (!mail) throw new Error(`no verification mail for ${email}`);
  const response = await fetch(linkIn(mail, /\/api\/auth\/verify-email\//), {
    headers: { accept: 'application/json' },
  });
  if (response.status !== 200) throw new Error(`verifying ${email}: ${response.status} ${await response.text()}`);
}
