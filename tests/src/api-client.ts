import { linkIn, type Mailbox, waitForMail } from '@voice/testkit';

/**
 * Parsed response JSON. Tests read arbitrary fields and assert their values, so the body is deliberately loose.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = Record<string, any>;

/** A thin client over the real HTTP API, as a user's script would use it. */
export class ApiClient {
  accessToken: string | undefined;
  refreshCookie: string | undefined;

  /** `mailbox`: where the platform's mail arrives, so register() can open the verification link as a user does. */
  constructor(
    readonly baseUrl: string,
    readonly mailbox?: Mailbox,
  ) {}

  async request(method: string, path: string, body?: unknown | FormData, extraHeaders: Record<string, string> = {}) {
    const headers: Record<string, string> = { ...extraHeaders };
    if (this.accessToken) headers['authorization'] = `Bearer ${this.accessToken}`;
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json: json as JsonBody, text };
  }

  /**
   * Signs up and in: register (202, no session), then, with a mailbox, the link from the verification mail (without
   * one the account stays unverified and cannot download), then login.
   */
  async register(email: string, password = 'correct horse battery', name = 'Test User') {
    const response = await this.request('POST', '/api/auth/register', { email, password, name });
    if (response.status !== 202) throw new Error(`register failed: ${response.status} ${response.text}`);
    if (this.mailbox) await this.verifyEmail(email);
    const login = await this.request('POST', '/api/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    this.accessToken = login.json['accessToken'] as string;
    return login.json['user'] as { id: string; email: string; creditsRemaining: number; emailVerified: boolean };
  }

  /** Opens the newest verification link mailed to `email` (as JSON); throws unless it verified. */
  async verifyEmail(email: string): Promise<void> {
    if (!this.mailbox) throw new Error('this ApiClient has no mailbox to read the verification mail from');
    const mails = await waitForMail(this.mailbox, email, { subject: /^Confirm your email/ });
    const newest = mails.at(-1);
    if (!newest) throw new Error(`no verification mail to ${email}`);
    const link = linkIn(newest, /\/api\/auth\/verify-email\//);
    // The path only: the mailed base is PUBLIC_BASE_URL, which a test platform on a random port does not set.
    const verified = await this.request('GET', new URL(link).pathname, undefined, { accept: 'application/json' });
    if (verified.status !== 200) throw new Error(`verify failed: ${verified.status} ${verified.text}`);
  }

  upload(path: string, file: Buffer, filename: string, fields: Record<string, string> = {}) {
    const form = new FormData();
    form.append('audio_file', new Blob([file]), filename);
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    return this.request('POST', path, form);
  }

  async credits(): Promise<{ creditsRemaining: number; creditsHeld: number }> {
    const response = await this.request('GET', '/api/user/credits');
    if (response.status !== 200) throw new Error(`credits failed: ${response.status} ${response.text}`);
    return response.json as { creditsRemaining: number; creditsHeld: number };
  }

  async status(jobId: string) {
    return this.request('GET', `/api/jobs/${jobId}/status`);
  }

  /** Polls status until the job is terminal; records every progress value seen. */
  async waitForJob(jobId: string, options: { timeoutMs?: number; onStatus?: (status: JsonBody) => void } = {}) {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      const response = await this.status(jobId);
      if (response.status !== 200) throw new Error(`status failed: ${response.status} ${response.text}`);
      options.onStatus?.(response.json);
      const status = response.json['status'] as string;
      if (status === 'completed' || status === 'failed' || status === 'cancelled') return response.json;
      if (Date.now() > deadline)
        throw new Error(`job ${jobId} still ${status} after ${options.timeoutMs ?? 120_000} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Waits until the job's denoise step reports heartbeat progress, i.e. inference is really running. */
export async function waitForInference(api: ApiClient, jobId: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await api.request('GET', `/api/jobs/${jobId}/progress`);
    const denoise = (
      response.json['steps'] as Array<{ op: string; state: string; progress: number }> | undefined
    )?.find((step) => step.op === 'denoise');
    if (denoise?.state === 'running' && denoise.progress > 0) return denoise.progress;
    if (['completed', 'failed', 'cancelled'].includes(response.json['status'] as string)) {
      throw new Error(`job ended (${String(response.json['status'])}) before inference was observed`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('inference never reported progress');
}
