import { Inject, Injectable } from '@nestjs/common';
import type { Env } from '@voice/config';

import { unauthorized } from '../common/domain-error';
import { ENV, JWT_SECRET_KEY } from '../common/tokens';
import { type AuthPrincipal, USER_ROLES, type UserRole } from './auth-principal';
import { loadJose } from './jose';

/** `iss` of every access token this API signs and the only one it accepts. */
export const ACCESS_TOKEN_ISSUER = 'voice-platform';
/**
 * `aud` of access tokens. JWT_SECRET also signs other tokens (local-storage download links); a distinct
 * audience keeps one kind of token from being replayed as another.
 */
export const ACCESS_TOKEN_AUDIENCE = 'voice-platform:api';
const ALGORITHM = 'HS256';
/** RFC 8176 authentication method references: a password, plus a one-time password when MFA passed. */
const AMR_PASSWORD = 'pwd';
const AMR_OTP = 'otp';

export interface IssuedAccessToken {
  token: string;
  expiresInSeconds: number;
}

/** Signs and verifies the short-lived HS256 access JWT (claims: sub, role, amr, iat, exp, iss, aud). */
@Injectable()
export class AccessTokenService {
  constructor(
    @Inject(JWT_SECRET_KEY) private readonly key: Uint8Array,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** `mfa`: the sign-in passed a second factor (see AuthPrincipal.mfa). */
  async sign(subject: { id: string; role: UserRole }, mfa: boolean): Promise<IssuedAccessToken> {
    const { SignJWT } = await loadJose();
    const expiresInSeconds = this.env.ACCESS_TOKEN_TTL_SECONDS;
    const amr = mfa ? [AMR_PASSWORD, AMR_OTP] : [AMR_PASSWORD];
    const token = await new SignJWT({ role: subject.role, amr })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(subject.id)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${expiresInSeconds}s`)
      .sign(this.key);
    return { token, expiresInSeconds };
  }

  /** Verifies signature, algorithm, issuer, audience and expiry; anything wrong is a 401. */
  async verify(token: string): Promise<AuthPrincipal> {
    const { jwtVerify, errors } = await loadJose();
    try {
      // Pinning the algorithm list is what rejects `alg: none` and algorithm-confusion tokens.
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      const role = USER_ROLES.find((candidate) => candidate === payload['role']);
      if (!payload.sub || !role) throw unauthorized('Invalid access token');
      // Fail closed: a token without `amr` (signed before it existed) counts as password-only.
      const amr = payload['amr'];
      const mfa = Array.isArray(amr) && amr.includes(AMR_OTP);
      return { userId: payload.sub, role, method: 'jwt', mfa };
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthorized('Access token expired');
      if (error instanceof errors.JOSEError) throw unauthorized('Invalid access token');
      throw error;
    }
  }
}
