import { Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { unauthorized } from '../common/domain-error';
import { AccessTokenService } from './access-token.service';
import type { AuthPrincipal } from './auth-principal';
import type { AuthStrategy } from './auth-strategy';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** `Authorization: Bearer <access JWT>`. */
@Injectable()
export class BearerJwtStrategy implements AuthStrategy {
  readonly name = 'jwt';

  constructor(private readonly accessTokens: AccessTokenService) {}

  async authenticate(request: Request): Promise<AuthPrincipal | null> {
    const header = request.headers.authorization;
    if (header === undefined) return null;
    if (!/^Bearer\b/i.test(header)) return null;
    const match = BEARER.exec(header);
    if (!match?.[1]) throw unauthorized('Malformed Authorization header; expected "Bearer <token>"');
    return this.accessTokens.verify(match[1]);
  }
}
