import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Env } from '@voice/config';
import {
  consumeRefreshToken,
  createUserWithGrant,
  type Database,
  EmailTakenError,
  findUserByEmail,
  findUserById,
  insertRefreshToken,
  isMfaEnrolled,
  revokeFamily,
  revokeToken,
  type User,
} from '@voice/db';
import * as argon2 from 'argon2';

import { accountSuspended, unauthorized } from '../common/domain-error';
import { DATABASE, ENV } from '../common/tokens';
import { AccessTokenService } from './access-token.service';
import { AccountEmailService } from './account-email.service';
import type { AuthUserDto, LoginInput, RegisterInput } from './dto/auth.dto';
import { type MfaChallenge, MfaTokenService } from './mfa/mfa-token.service';
import { PASSWORD_HASH_OPTIONS } from './password/password-hash';
import { loadCommonPasswords } from './password/password-policy';

export { PASSWORD_HASH_OPTIONS };

/** What a successful register/login/refresh hands the controller: the body plus the cookie to set. */
export interface IssuedSession {
  accessToken: string;
  expiresIn: number;
  user: AuthUserDto;
  refreshToken: string;
  refreshExpiresAt: Date;
}

/** A login that needs its second factor: POST /api/auth/mfa completes it. */
export interface PendingMfaLogin extends MfaChallenge {
  mfaRequired: true;
}

const REFRESH_TOKEN_BYTES = 32;
const DAY_MS = 24 * 60 * 60 * 1000;
const INVALID_CREDENTIALS = 'Invalid email or password';
const INVALID_REFRESH = 'Invalid or expired refresh token';

/** Only the sha256 of a refresh token is stored; a database leak cannot be replayed as sessions. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function toAuthUser(user: User): AuthUserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    creditsRemaining: user.creditsBalance,
    emailVerified: user.emailVerifiedAt !== null,
  };
}

/**
 * Neither endpoint may tell whether an email has an account. Register answers the same body either way (an
 * existing email's owner is mailed instead) and hashes before it learns whether the email is taken; its mail work
 * runs after the answer (AccountEmailService). Login runs exactly one argon2 verify whether or not the user exists,
 * so both paths of each spend the same hash time (the dominant cost by far).
 */
@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger(AuthService.name);
  /**
   * Verified against when the email is unknown, so "no such user" costs as long as "wrong password". Made at
   * start: made lazily, the first unknown-email login would pay for a hash and a verify.
   */
  private dummyHash: Promise<string> | undefined;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(ENV) private readonly env: Env,
    private readonly accessTokens: AccessTokenService,
    private readonly mfaTokens: MfaTokenService,
    private readonly accountEmail: AccountEmailService,
  ) {}

  async onModuleInit(): Promise<void> {
    // argon2 runs on libuv's thread pool, so this costs the event loop nothing.
    this.dummyHash = argon2.hash(randomBytes(16).toString('hex'), PASSWORD_HASH_OPTIONS);
    await this.dummyHash;
    // Fails the start, not a request, if the list did not ship.
    loadCommonPasswords();
  }

  /**
   * Creates the account and mails it a verification link, or, when the email is taken, mails its owner; the caller
   * cannot tell which (no session either way: it signs in next, which only the password's owner can).
   */
  async register(input: RegisterInput): Promise<void> {
    // Before the insert, so an existing email costs the same hash time as a new one.
    const passwordHash = await argon2.hash(input.password, PASSWORD_HASH_OPTIONS);
    try {
      // Race-free via the unique index: of two sign-ups with one email, one gets EmailTakenError.
      const user = await createUserWithGrant(this.db, {
        email: input.email,
        passwordHash,
        name: input.name,
        grantSeconds: this.env.FREE_CREDIT_SECONDS,
      });
      this.accountEmail.accountCreated(user);
    } catch (error) {
      if (!(error instanceof EmailTakenError)) throw error;
      this.accountEmail.registrationAttempted(input.email);
    }
  }

  /**
   * An admin with a confirmed second factor gets a challenge instead of a session; everyone else (an admin who
   * has not enrolled included: the enrolment routes need a session) gets the session.
   */
  async login(input: LoginInput): Promise<IssuedSession | PendingMfaLogin> {
    const user = await findUserByEmail(this.db, input.email);
    const valid = await this.verifyPassword(user?.passwordHash, input.password);
    if (!user || !valid) throw unauthorized(INVALID_CREDENTIALS);
    // Only once the password checked out: a guesser learns nothing about the account.
    if (user.suspendedAt) throw accountSuspended();
    if (user.role === 'admin' && (await isMfaEnrolled(this.db, user.id))) {
      return { mfaRequired: true, ...(await this.mfaTokens.sign(user.id)) };
    }
    return this.issueSession(user, randomUUID(), false);
  }

  /** A new sign-in (its own refresh family) after the second factor passed: POST /api/auth/mfa and enrolment. */
  startSecondFactorSession(user: User): Promise<IssuedSession> {
    return this.issueSession(user, randomUUID(), true);
  }

  /**
   * Rotation: the presented token is consumed and a new one issued in the same family. A token presented
   * a second time means it was copied, so the whole family (that login on every device) is revoked.
   */
  async refresh(presented: string | undefined): Promise<IssuedSession> {
    if (!presented) throw unauthorized('Missing refresh token');
    const now = new Date();
    const result = await consumeRefreshToken(this.db, hashRefreshToken(presented), now);
    switch (result.status) {
      case 'ok': {
        const user = await findUserById(this.db, result.token.userId);
        if (!user) throw unauthorized(INVALID_REFRESH);
        // The family keeps the factors of the sign-in that started it: a password-only one never gains MFA.
        return this.issueSession(user, result.token.familyId, result.token.mfa);
      }
      case 'reused':
        await revokeFamily(this.db, result.token.familyId, now);
        this.logger.warn(
          `Refresh token reuse for user ${result.token.userId}; revoked family ${result.token.familyId}`,
        );
        throw unauthorized('Refresh token was already used; the session has been revoked, please sign in again');
      case 'expired':
      case 'revoked':
      case 'unknown':
        throw unauthorized(INVALID_REFRESH);
      default:
        return assertNever(result);
    }
  }

  /** Idempotent: an unknown or already revoked token is fine. */
  async logout(presented: string | undefined): Promise<void> {
    if (presented) await revokeToken(this.db, hashRefreshToken(presented));
  }

  private async issueSession(user: User, familyId: string, mfa: boolean): Promise<IssuedSession> {
    // Every way into a session passes here (sign-in, second factor, refresh): none opens one for a suspended account.
    if (user.suspendedAt) throw accountSuspended();
    const refreshToken = randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
    const refreshExpiresAt = new Date(Date.now() + this.env.REFRESH_TOKEN_TTL_DAYS * DAY_MS);
    await insertRefreshToken(this.db, {
      userId: user.id,
      familyId,
      tokenHash: hashRefreshToken(refreshToken),
      expiresAt: refreshExpiresAt,
      mfa,
    });
    const access = await this.accessTokens.sign(user, mfa);
    return {
      accessToken: access.token,
      expiresIn: access.expiresInSeconds,
      user: toAuthUser(user),
      refreshToken,
      refreshExpiresAt,
    };
  }

  private async verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
    this.dummyHash ??= argon2.hash(randomBytes(16).toString('hex'), PASSWORD_HASH_OPTIONS);
    try {
      return await argon2.verify(hash ?? (await this.dummyHash), password);
    } catch {
      // A malformed stored hash is a failed login, not a 500 that would reveal the account exists.
      return false;
    }
  }
}

function assertNever(value: never): never {
  throw new Error(`Unexpected refresh token status: ${JSON.stringify(value)}`);
}
