import { createHash, randomBytes } from 'node:crypto';

import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { Env } from '@voice/config';
import {
  type AccountTokenPurpose,
  type ConsumeAccountTokenResult,
  type Database,
  findUserByEmail,
  findUserById,
  issueAccountToken,
  resetPasswordWithToken,
  type User,
  verifyEmailWithToken,
} from '@voice/db';
import * as argon2 from 'argon2';

import { accountGone, conflict, DomainError } from '../common/domain-error';
import { RATE_LIMITER, DATABASE, ENV } from '../common/tokens';
import { MailDispatcher } from '../mail/mail-dispatcher';
import { MailLinks } from '../mail/mail-links';
import type { Mailer } from '../mail/mailer';
import {
  passwordChangedMail,
  registrationAttemptMail,
  resetPasswordMail,
  verifyEmailMail,
} from '../mail/mail-templates';
import { PASSWORD_HASH_OPTIONS } from './password/password-hash';
import { ACCOUNT_TOKEN_MAX_LENGTH } from './dto/account-email.dto';
import type { RateLimiter } from './rate-limit/rate-limiter';

const TOKEN_BYTES = 32;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** What opening a verification link did; the web app shows it from `/?verified=<outcome>`. */
export type VerifyEmailOutcome = 'verified' | 'expired' | 'used' | 'invalid';

/** Only the sha256 of a mailed token is stored: a database leak hands out no working links. */
export function hashAccountToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function outcomeOf(result: ConsumeAccountTokenResult): VerifyEmailOutcome {
  switch (result.status) {
    case 'ok':
      return 'verified';
    case 'expired':
      return 'expired';
    case 'used':
      return 'used';
    case 'unknown':
      return 'invalid';
    default:
      return assertNever(result);
  }
}

/** 400 for a mailed token that cannot be used; the code says why, so a client can offer the right next step. */
export function tokenRefused(outcome: Exclude<VerifyEmailOutcome, 'verified'>): DomainError {
  switch (outcome) {
    case 'expired':
      return new DomainError('TOKEN_EXPIRED', HttpStatus.BAD_REQUEST, 'This link has expired; ask for a new one');
    case 'used':
      return new DomainError('TOKEN_USED', HttpStatus.BAD_REQUEST, 'This link was already used; ask for a new one');
    case 'invalid':
      return new DomainError('TOKEN_INVALID', HttpStatus.BAD_REQUEST, 'This link is not valid');
    default:
      return assertNever(outcome);
  }
}

/**
 * Email verification and password reset: single-use tokens, hashed at rest, mailed as links.
 *
 * Nothing here tells a caller whether an email has an account, by answer or by time: everything that depends on it
 * (looking the user up, issuing a token, choosing which mail to send) runs in MailDispatcher's background, after
 * an answer that is the same in every case.
 */
@Injectable()
export class AccountEmailService {
  private readonly logger = new Logger(AccountEmailService.name);

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(ENV) private readonly env: Env,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly mail: MailDispatcher,
    private readonly links: MailLinks,
  ) {}

  /** A new account: mail it a verification link. */
  accountCreated(user: Pick<User, 'id' | 'email'>): void {
    this.mail.run('verification mail', (mailer) => this.mailVerificationLink(user, mailer));
  }

  /** Sign-up with an email that has an account: tell its owner instead; the account is left as it is. */
  registrationAttempted(email: string): void {
    this.mail.run('registration-attempt mail', async (mailer) => {
      const owner = await findUserByEmail(this.db, email);
      // Gone since the sign-up collided with it (deleted in between): nobody to tell.
      if (!owner) return;
      await mailer.send({ to: owner.email, ...registrationAttemptMail({ signInUrl: this.links.signIn() }) });
    });
  }

  /** A fresh link for a signed-in user who lost or let expire the first one; 409 once verified. */
  async resendVerification(userId: string): Promise<void> {
    const user = await findUserById(this.db, userId);
    if (!user) throw accountGone();
    if (user.emailVerifiedAt) throw conflict('EMAIL_ALREADY_VERIFIED', 'This email address is already verified');
    this.mail.run('verification mail', (mailer) => this.mailVerificationLink(user, mailer));
  }

  async verifyEmail(token: string): Promise<VerifyEmailOutcome> {
    // Real tokens are 43 characters; a path of kilobytes is not worth hashing and looking up.
    if (token.length > ACCOUNT_TOKEN_MAX_LENGTH) return 'invalid';
    const result = await verifyEmailWithToken(this.db, { tokenHash: hashAccountToken(token), now: new Date() });
    return outcomeOf(result);
  }

  /**
   * Always "accepted" to the caller. In the background, a known email gets a reset link, at most
   * PASSWORD_RESET_RATE_LIMIT per window per email: beyond it nothing is sent, so nobody can flood an inbox
   * (the per-address quota of the route answers 429, but a botnet has many addresses).
   */
  forgotPassword(email: string): void {
    this.mail.run('password-reset mail', async (mailer) => {
      const quota = await this.limiter.consume(
        `auth:reset-mail:${email}`,
        this.env.PASSWORD_RESET_RATE_LIMIT,
        this.env.AUTH_RATE_WINDOW_SECONDS * 1000,
      );
      if (!quota.allowed) return;
      const user = await findUserByEmail(this.db, email);
      if (!user) return;
      const token = await this.issue(user.id, 'reset_password', this.env.PASSWORD_RESET_TTL_MINUTES * MINUTE_MS);
      await mailer.send({
        to: user.email,
        ...resetPasswordMail({
          link: this.links.resetPassword(token),
          ttlMinutes: this.env.PASSWORD_RESET_TTL_MINUTES,
        }),
      });
    });
  }

  /**
   * Sets the new password if the token is live, and in the same transaction revokes every session of the user
   * (see revokeUserSessions in @voice/db, where API keys will join) and every other reset link. Hashes first, so
   * a refused token costs as long as an accepted one.
   */
  async resetPassword(token: string, password: string): Promise<void> {
    const passwordHash = await argon2.hash(password, PASSWORD_HASH_OPTIONS);
    const result = await resetPasswordWithToken(this.db, {
      tokenHash: hashAccountToken(token),
      passwordHash,
      now: new Date(),
    });
    if (result.status !== 'ok') throw tokenRefused(result.status === 'unknown' ? 'invalid' : result.status);
    this.logger.log(
      `Password reset for user ${result.token.userId}; revoked ${result.revokedRefreshTokens ?? 0} refresh tokens`,
    );
    const userId = result.token.userId;
    this.mail.run('password-changed mail', async (mailer) => {
      const user = await findUserById(this.db, userId);
      if (user) await mailer.send({ to: user.email, ...passwordChangedMail({ signInUrl: this.links.signIn() }) });
    });
  }

  private async mailVerificationLink(user: Pick<User, 'id' | 'email'>, mailer: Mailer): Promise<void> {
    const ttlHours = this.env.EMAIL_VERIFICATION_TTL_HOURS;
    const token = await this.issue(user.id, 'verify_email', ttlHours * HOUR_MS);
    await mailer.send({ to: user.email, ...verifyEmailMail({ link: this.links.verifyEmail(token), ttlHours }) });
  }

  /** A new random token for `purpose` (earlier unused ones of that purpose stop working); returns it in clear. */
  private async issue(userId: string, purpose: AccountTokenPurpose, ttlMs: number): Promise<string> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    await issueAccountToken(this.db, {
      userId,
      purpose,
      tokenHash: hashAccountToken(token),
      expiresAt: new Date(Date.now() + ttlMs),
    });
    return token;
  }
}

function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
