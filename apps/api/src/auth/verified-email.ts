import { HttpStatus } from '@nestjs/common';
import { findUserById, type Database } from '@voice/db';

import { accountGone, DomainError } from '../common/domain-error';

/**
 * Spending and buying credits wait for a verified email: the free grant of an account made with an address
 * nobody reads stays unspendable, and nobody can buy (and have receipts mailed) in someone else's name. Read from
 * the database, not the access token, so a verification counts at once.
 */
export async function requireVerifiedEmail(db: Database, userId: string, action: 'download' | 'buy credits') {
  const user = await findUserById(db, userId);
  if (!user) throw accountGone();
  if (!user.emailVerifiedAt) {
    throw new DomainError(
      'EMAIL_NOT_VERIFIED',
      HttpStatus.FORBIDDEN,
      `Verify your email address to ${action}: open the link we mailed you, or get a new one with ` +
        'POST /api/auth/resend-verification',
    );
  }
  return user;
}
