import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { Env } from '@voice/config';
import {
  acceptTotpStep,
  confirmMfaEnrolment,
  consumeRecoveryCode,
  type Database,
  findUserById,
  findUserMfa,
  insertAdminAudit,
  resealMfaSecret,
  revokeUserRefreshTokens,
  savePendingMfa,
  type User,
  type UserMfa,
} from '@voice/db';
import type { SecretBox } from '@voice/runtime';
import * as QRCode from 'qrcode';

import { accountGone, conflict, DomainError, unauthorized } from '../../common/domain-error';
import { DATABASE, ENV, RATE_LIMITER, SECRET_BOX } from '../../common/tokens';
import { AuthService, type IssuedSession } from '../auth.service';
import type { MfaEnrolmentDto } from '../dto/mfa.dto';
import { enforceQuota } from '../rate-limit/rate-limit-policy';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { MfaTokenService } from './mfa-token.service';
import { hashRecoveryCode, isTotpCode, matchTotpStep, newRecoveryCodes, newTotpSecret, totpUri } from './totp';

/** A confirmed enrolment: the codes to show once, and the session that the confirming code opened. */
export interface ConfirmedEnrolment {
  recoveryCodes: string[];
  session: IssuedSession;
}

const INVALID_CODE = 'Invalid one-time code';

/** Binds a sealed TOTP secret to its row: a ciphertext copied to another user's row does not open. */
export function totpSecretContext(userId: string): string {
  return `user_mfa.secret:${userId}`;
}

function invalidCode(status: HttpStatus, message = INVALID_CODE): DomainError<'INVALID_MFA_CODE'> {
  return new DomainError('INVALID_MFA_CODE', status, message);
}

/**
 * TOTP enrolment and the second sign-in step. Secrets are sealed with the SecretBox (AES-256-GCM), recovery codes
 * stored as sha256. Every code check (confirm and sign-in) draws on one per-account quota, counted before the
 * check so parallel guesses count too; a quota per MFA token would be worthless, as a new login mints a new one.
 */
@Injectable()
export class MfaService {
  private readonly logger = new Logger(MfaService.name);

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(ENV) private readonly env: Env,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly mfaTokens: MfaTokenService,
    private readonly auth: AuthService,
  ) {}

  /**
   * Starts (or restarts) enrolment with a fresh secret; the factor counts only once confirmed. Refused once a
   * factor is confirmed: replacing it must not be possible with a password-only session.
   */
  async startEnrolment(userId: string): Promise<MfaEnrolmentDto> {
    const user = await this.requireUser(userId);
    const secret = newTotpSecret();
    const saved = await savePendingMfa(this.db, user.id, this.box.seal(secret, totpSecretContext(user.id)));
    if (!saved) throw alreadyEnrolled();
    const otpauthUri = totpUri(secret, this.env.MFA_ISSUER, user.email);
    // A QR code of a ~120-character URI renders in about a millisecond: no need to leave the event loop.
    const qrCodeSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { otpauthUri, qrCodeSvg, secret };
  }

  /**
   * Confirms the pending secret with its first code, stores ten recovery codes (hashed) and returns them once.
   * Sessions from before enrolment were password-only, so they are revoked; the confirming code is itself the
   * second factor, so the caller gets a new MFA session in their place.
   */
  async confirmEnrolment(userId: string, code: string): Promise<ConfirmedEnrolment> {
    const user = await this.requireUser(userId);
    await this.consumeAttempt(user.id);
    const pending = await findUserMfa(this.db, user.id);
    if (pending?.enrolledAt) throw alreadyEnrolled();
    if (!pending) throw conflict('MFA_NOT_PENDING', 'Start with POST /api/admin/mfa/enrol');
    const now = Date.now();
    const step = matchTotpStep(this.openSecret(pending), code, now);
    // 400, not 401: the session is fine, the code is not (a 401 would make clients refresh and resend it).
    if (step === null) throw invalidCode(HttpStatus.BAD_REQUEST);
    const recoveryCodes = newRecoveryCodes();
    const confirmed = await confirmMfaEnrolment(this.db, {
      userId: user.id,
      ciphertext: pending.secretCiphertext,
      step,
      recoveryCodeHashes: recoveryCodes.map(hashRecoveryCode),
      now: new Date(now),
    });
    if (!confirmed) throw conflict('MFA_NOT_PENDING', 'The enrolment changed meanwhile; start again');
    await revokeUserRefreshTokens(this.db, user.id, new Date(now));
    // Only admins reach enrolment; a new second factor is a security event worth a row in their audit log.
    await insertAdminAudit(this.db, { adminId: user.id, action: 'mfa.enrol', targetUserId: user.id, details: {} });
    this.logger.log(`second factor enrolled for user ${user.id}`);
    return { recoveryCodes, session: await this.auth.startSecondFactorSession(user) };
  }

  /** Trades an MFA token plus a TOTP or recovery code for a session; 401 INVALID_MFA_CODE otherwise. */
  async completeSignIn(mfaToken: string, code: string): Promise<IssuedSession> {
    const userId = await this.mfaTokens.verify(mfaToken);
    await this.consumeAttempt(userId);
    const user = await findUserById(this.db, userId);
    const factor = user ? await findUserMfa(this.db, user.id) : undefined;
    if (!user || !factor?.enrolledAt) throw unauthorized('Invalid or expired MFA token; sign in again');

    if (isTotpCode(code)) {
      const step = matchTotpStep(this.openSecret(factor), code, Date.now());
      if (step === null) throw invalidCode(HttpStatus.UNAUTHORIZED);
      // Atomic: of two sign-ins with one code only one passes, and a code at or before the last used step fails.
      if (!(await acceptTotpStep(this.db, user.id, step))) {
        throw invalidCode(HttpStatus.UNAUTHORIZED, 'This code was already used; wait for the next one');
      }
    } else if (!(await consumeRecoveryCode(this.db, user.id, hashRecoveryCode(code), new Date()))) {
      throw invalidCode(HttpStatus.UNAUTHORIZED);
    }
    await this.resealIfStale(user, factor);
    return this.auth.startSecondFactorSession(user);
  }

  private openSecret(factor: UserMfa): string {
    return this.box.open(
      { keyId: factor.secretKeyId, ciphertext: factor.secretCiphertext },
      totpSecretContext(factor.userId),
    );
  }

  /**
   * Finishes a key rotation lazily: a secret under an older key of the ring is sealed again under the current
   * one. Best effort: the sign-in already passed, and a failure here only leaves the old ciphertext in place.
   */
  private async resealIfStale(user: User, factor: UserMfa): Promise<void> {
    if (!this.box.isStale({ keyId: factor.secretKeyId })) return;
    try {
      const resealed = this.box.seal(this.openSecret(factor), totpSecretContext(user.id));
      await resealMfaSecret(this.db, user.id, factor.secretCiphertext, resealed);
    } catch (error) {
      this.logger.warn(`could not reseal the TOTP secret of user ${user.id}: ${String(error)}`);
    }
  }

  private async consumeAttempt(userId: string): Promise<void> {
    const policy = {
      name: 'auth-mfa-account',
      limit: this.env.AUTH_MFA_RATE_LIMIT,
      windowSeconds: this.env.AUTH_RATE_WINDOW_SECONDS,
    };
    // No response here: only a refusal carries the headers (on the 429 itself).
    await enforceQuota(
      this.limiter,
      policy,
      `auth:mfa:user:${userId}`,
      (seconds) => `Too many one-time-code attempts; try again in ${seconds} seconds`,
    );
  }

  private async requireUser(userId: string): Promise<User> {
    const user = await findUserById(this.db, userId);
    if (!user) throw accountGone();
    return user;
  }
}

function alreadyEnrolled(): DomainError<'MFA_ALREADY_ENROLLED'> {
  return conflict('MFA_ALREADY_ENROLLED', 'A second factor is already enrolled for this account');
}
