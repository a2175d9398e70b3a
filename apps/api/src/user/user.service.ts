import { Inject, Injectable } from '@nestjs/common';
import { type Database, findUserById, getCreditSummary } from '@voice/db';
import { CREDIT_SECONDS_PER_MINUTE, CREDIT_UNIT } from '@voice/shared';

import { accountGone } from '../common/domain-error';
import { DATABASE } from '../common/tokens';
import type { CreditsResponseDto, UserProfileDto } from './dto/user.dto';

/** Minutes with 2 decimals, rounded toward what the user can count on (down for balance, up for holds). */
function toMinutes(seconds: number, round: (value: number) => number): number {
  return round((seconds * 100) / CREDIT_SECONDS_PER_MINUTE) / 100;
}

@Injectable()
export class UserService {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async profile(userId: string): Promise<UserProfileDto> {
    const user = await findUserById(this.db, userId);
    if (!user) throw accountGone();
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      tier: user.subscriptionTier,
      creditsRemaining: user.creditsBalance,
      createdAt: user.createdAt.toISOString(),
    };
  }

  async credits(userId: string): Promise<CreditsResponseDto> {
    // Throws UserNotFoundError (USER_NOT_FOUND → 401 in the error filter) when a valid token outlived its user.
    const summary = await getCreditSummary(this.db, userId);
    return {
      creditsRemaining: summary.balance,
      creditsHeld: summary.held,
      unit: CREDIT_UNIT,
      creditsRemainingMinutes: toMinutes(summary.balance, Math.floor),
      creditsHeldMinutes: toMinutes(summary.held, Math.ceil),
    };
  }
}
