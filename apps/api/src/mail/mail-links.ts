import { publicBaseUrl, type Env } from '@voice/config';

/**
 * Absolute links for mails: PUBLIC_BASE_URL, or the API's own address, the same default the local storage driver
 * signs download links with. The web app is served from the same origin, so its pages hang off the same base.
 */
export class MailLinks {
  private readonly base: string;

  constructor(env: Env) {
    this.base = publicBaseUrl(env);
  }

  /** Opened in a browser: GET /api/auth/verify-email/:token verifies, then redirects into the web app. */
  verifyEmail(token: string): string {
    return `${this.base}/api/auth/verify-email/${token}`;
  }

  /**
   * The web app's reset page; it POSTs the token with the new password to /api/auth/reset-password. The token is
   * in the fragment, which browsers never send to a server, so it stays out of access logs and Referer headers,
   * and a mail scanner that fetches the link cannot use it up.
   */
  resetPassword(token: string): string {
    return `${this.base}/reset-password#token=${token}`;
  }

  signIn(): string {
    return `${this.base}/sign-in`;
  }
}
