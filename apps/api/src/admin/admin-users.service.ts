import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import {
  adjustCreditsAsAdmin,
  type Database,
  findUserById,
  getCreditSummary,
  InsufficientCreditsError,
  listAdminAudit,
  listLedger,
  searchUsers,
  setSubscriptionTier,
  suspendUser,
  unsuspendUser,
  type User,
  UserNotFoundError,
} from '@voice/db';

import { conflict, DomainError, notFound } from '../common/domain-error';
import { DATABASE } from '../common/tokens';
import type { Idempotency } from '../jobs/idempotency-key.decorator';
import { AdminJobsService } from './admin-jobs.service';
import type { CreditBody, SuspendBody, UnsuspendBody, UpdateUserBody, UserSearchQuery } from './admin-request-schemas';
import { adminUserView, auditEntryView, ledgerEntryView } from './admin-views';
import type {
  AccountActionResultDto,
  AdminUserDetailDto,
  AdminUserPageDto,
  CreditAdjustmentResultDto,
} from './dto/admin-panel.dto';

const DETAIL_LEDGER_ENTRIES = 20;
const DETAIL_JOBS = 10;
const DETAIL_AUDIT_ROWS = 20;

/** A 404 for the user an admin names: the data layer's UserNotFoundError maps to 401 ("your own account is gone"). */
function targetNotFound(): DomainError<'USER_NOT_FOUND'> {
  return notFound('USER_NOT_FOUND', 'No user with this id');
}

async function orTargetNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof UserNotFoundError) throw targetNotFound();
    throw error;
  }
}

/**
 * Users for admins: search, the user page, suspension, tier and credits. Every change writes its audit row in the
 * same transaction (see db/src/queries/admin.ts), with the acting admin's id from the access token.
 */
@Injectable()
export class AdminUsersService {
  private readonly logger = new Logger('AdminUsers');

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly jobs: AdminJobsService,
  ) {}

  async search(query: UserSearchQuery): Promise<AdminUserPageDto> {
    const page = await searchUsers(this.db, {
      ...(query.q !== undefined ? { query: query.q } : {}),
      limit: query.limit,
      offset: query.offset,
    });
    return { items: page.items.map(adminUserView), total: page.total, limit: query.limit, offset: query.offset };
  }

  async detail(userId: string): Promise<AdminUserDetailDto> {
    const user = await this.requireUser(userId);
    const [summary, ledger, jobs, audit] = await Promise.all([
      getCreditSummary(this.db, user.id),
      listLedger(this.db, user.id, DETAIL_LEDGER_ENTRIES),
      this.jobs.latestOf(user.id, DETAIL_JOBS),
      listAdminAudit(this.db, { limit: DETAIL_AUDIT_ROWS, targetUserId: user.id }),
    ]);
    return {
      user: adminUserView(user),
      credits: { balance: summary.balance, held: summary.held },
      ledger: ledger.map(ledgerEntryView),
      jobs: jobs.items,
      jobsTotal: jobs.total,
      audit: audit.items.map(auditEntryView),
    };
  }

  /** Signs the user out everywhere at once (refresh tokens revoked, access tokens refused from their next request). */
  async suspend(adminId: string, userId: string, body: SuspendBody): Promise<AccountActionResultDto> {
    // An admin locking themselves out would need another admin (or the database) to get back in.
    if (adminId === userId) throw conflict('CANNOT_SUSPEND_SELF', 'You cannot suspend your own account');
    const result = await orTargetNotFound(suspendUser(this.db, { adminId, userId, reason: body.reason }));
    if (result.changed) this.logger.log(`admin ${adminId} suspended user ${userId}`);
    return {
      user: adminUserView(result.user),
      changed: result.changed,
      revokedRefreshTokens: result.revokedRefreshTokens,
      auditId: result.audit?.id ?? null,
    };
  }

  async unsuspend(adminId: string, userId: string, body: UnsuspendBody): Promise<AccountActionResultDto> {
    const result = await orTargetNotFound(
      unsuspendUser(this.db, { adminId, userId, reason: body.reason ?? 'Suspension lifted' }),
    );
    if (result.changed) this.logger.log(`admin ${adminId} lifted the suspension of user ${userId}`);
    return { user: adminUserView(result.user), changed: result.changed, auditId: result.audit?.id ?? null };
  }

  async update(adminId: string, userId: string, body: UpdateUserBody): Promise<AccountActionResultDto> {
    const result = await orTargetNotFound(
      setSubscriptionTier(this.db, { adminId, userId, tier: body.tier, reason: body.reason ?? 'Tier changed' }),
    );
    return { user: adminUserView(result.user), changed: result.changed, auditId: result.audit?.id ?? null };
  }

  /**
   * A grant or correction through the ledger. The Idempotency-Key is required and scoped to the admin, so a double
   * submit (a second click, a retry after a timeout) grants once.
   */
  async adjustCredits(
    adminId: string,
    userId: string,
    body: CreditBody,
    idempotency: Idempotency | undefined,
  ): Promise<CreditAdjustmentResultDto> {
    if (!idempotency) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REQUIRED',
        HttpStatus.BAD_REQUEST,
        'Send an Idempotency-Key header (a new random value per grant or correction) so a retry cannot grant twice',
      );
    }
    try {
      const result = await adjustCreditsAsAdmin(this.db, {
        adminId,
        userId,
        kind: body.kind,
        amount: body.amount,
        reason: body.reason,
        idempotencyKey: `admin:${adminId}:credits:${idempotency.key}`,
      });
      return {
        entryId: result.entryId,
        balance: result.balance,
        replayed: result.replayed,
        auditId: result.audit?.id ?? null,
      };
    } catch (error) {
      if (error instanceof UserNotFoundError) throw targetNotFound();
      if (error instanceof InsufficientCreditsError) {
        throw new DomainError(
          'BALANCE_WOULD_BE_NEGATIVE',
          HttpStatus.CONFLICT,
          `This correction would take the balance below zero: it is ${error.available} credit-seconds, so a ` +
            `correction can take away at most that much`,
          { details: { balance: error.available, amount: body.amount } },
        );
      }
      throw error;
    }
  }

  private async requireUser(userId: string): Promise<User> {
    const user = await findUserById(this.db, userId);
    if (!user) throw targetNotFound();
    return user;
  }
}
