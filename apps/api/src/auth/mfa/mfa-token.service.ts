import { Inject, Injectable } from '@nestjs/common';

import { unauthorized } from '../../common/domain-error';
import { JWT_SECRET_KEY } from '../../common/tokens';
import { ACCESS_TOKEN_ISSUER } from '../access-token.service';
import { loadJose } from '../jose';

/** Its own audience: an MFA token is never accepted as an access token, nor the reverse. */
export const MFA_TOKEN_AUDIENCE = 'voice-platform:mfa';
/** Long enough to open an authenticator app and type a code, short enough to be useless once stolen. */
export const MFA_TOKEN_TTL_SECONDS = 300;
const ALGORITHM = 'HS256';
const INVALID = 'Invalid or expired MFA token; sign in again';

export interface MfaChallenge {
  mfaToken: string;
  expiresInSeconds: number;
}

/**
 * The short-lived, single-purpose token a password sign-in of an enrolled admin yields instead of a session: it
 * proves the password step only, and POST /api/auth/mfa trades it plus a code for the session.
 */
@Injectable()
export class MfaTokenService {
  constructor(@Inject(JWT_SECRET_KEY) private readonly key: Uint8Array) {}

  async sign(userId: string): Promise<MfaChallenge> {
    const { SignJWT } = await loadJose();
    const mfaToken = await new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(MFA_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${MFA_TOKEN_TTL_SECONDS}s`)
      .sign(this.key);
    return { mfaToken, expiresInSeconds: MFA_TOKEN_TTL_SECONDS };
  }

  /** The user id the token was issued to; 401 for anything else. */
  async verify(token: string): Promise<string> {
    const { jwtVerify, errors } = await loadJose();
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: MFA_TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      if (!payload.sub) throw unauthorized(INVALID);
      return payload.sub;
    } catch (error) {
      if (error instanceof errors.JOSEError) throw unauthorized(INVALID);
      throw error;
    }
  }
}
