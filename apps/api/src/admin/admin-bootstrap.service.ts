import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Env, EnvError } from '@voice/config';
import { type Database, findUserByEmail, upsertAdmin } from '@voice/db';
import * as argon2 from 'argon2';

import { PASSWORD_HASH_OPTIONS } from '../auth/auth.service';
import { registerSchema } from '../auth/dto/auth.dto';
import { DATABASE, ENV } from '../common/tokens';

const ADMIN_NAME = 'Administrator';

/**
 * Ensures the ADMIN_EMAIL account exists, is an admin and has ADMIN_PASSWORD, once per start (during app.init(),
 * before the server listens). Idempotent: an admin whose password already matches is left untouched; otherwise
 * the row is created or updated by an upsert that is safe with several instances starting at once. The password
 * passes the sign-up policy and is never logged; a weak one fails the start with an EnvError.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL, ADMIN_PASSWORD } = this.env;
    if (!ADMIN_EMAIL || !ADMIN_PASSWORD) return;
    const email = ADMIN_EMAIL.trim().toLowerCase();
    const policy = registerSchema.shape.password.safeParse(ADMIN_PASSWORD);
    if (!policy.success) {
      // The issues name the rule broken, never the value.
      throw new EnvError(policy.error.issues.map((issue) => `ADMIN_PASSWORD: ${issue.message}`));
    }
    const existing = await findUserByEmail(this.db, email);
    // argon2 runs on libuv's thread pool, not the event loop.
    if (existing?.role === 'admin' && (await matches(existing.passwordHash, ADMIN_PASSWORD))) {
      this.logger.log(`admin ${email} ensured`);
      return;
    }
    const passwordHash = await argon2.hash(ADMIN_PASSWORD, PASSWORD_HASH_OPTIONS);
    await upsertAdmin(this.db, { email, passwordHash, name: ADMIN_NAME });
    this.logger.log(`admin ${email} ensured`);
  }
}

async function matches(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    // A malformed stored hash: rewrite it.
    return false;
  }
}
