import { Inject, Injectable } from '@nestjs/common';
import { countUnusedRecoveryCodes, type Database, findUserById, findUserMfa } from '@voice/db';

import { forbiddenRole } from '../auth/roles/roles.guard';
import { accountGone } from '../common/domain-error';
import { DATABASE } from '../common/tokens';
import type { AdminProfileDto } from './dto/admin.dto';

@Injectable()
export class AdminService {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async profile(userId: string): Promise<AdminProfileDto> {
    const user = await findUserById(this.db, userId);
    if (!user) throw accountGone();
    // The token said admin; a demotion within its lifetime must not answer as one.
    if (user.role !== 'admin') throw forbiddenRole(['admin']);
    const factor = await findUserMfa(this.db, user.id);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      mfa: {
        enrolled: factor?.enrolledAt != null,
        enrolledAt: factor?.enrolledAt?.toISOString(),
        recoveryCodesRemaining: await countUnusedRecoveryCodes(this.db, user.id),
      },
    };
  }
}
