import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { type Database, eraseAccount, findUserById, getCreditSummary, loadAccountData } from '@voice/db';
import type { BlobStorage } from '@voice/storage';
import * as argon2 from 'argon2';

import { accountGone, conflict, DomainError } from '../common/domain-error';
import { requireDependency } from '../common/require-dependency';
import { DATABASE, STORAGE } from '../common/tokens';
import { storedSteps, toStatusView } from '../jobs/job-views';
import type { AccountExportDto, ExportLinkDto } from './dto/privacy.dto';

/** A day: long enough to fetch every file of a large export, short enough that a leaked file is soon dead. */
export const EXPORT_LINK_TTL_SECONDS = 24 * 60 * 60;

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/**
 * The account's own data (GDPR access and erasure): an export with links to its files, and the erasure of its
 * personal data, which keeps the anonymised ledger for accounting (see eraseAccount in @voice/db).
 */
@Injectable()
export class PrivacyService {
  private readonly logger = new Logger(PrivacyService.name);

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(STORAGE) private readonly storage: BlobStorage | null,
  ) {}

  async exportData(userId: string, now = new Date()): Promise<AccountExportDto> {
    const data = await loadAccountData(this.db, userId);
    if (!data) throw accountGone();
    const summary = await getCreditSummary(this.db, userId);
    const link = async (key: string): Promise<ExportLinkDto> => {
      const signed = await requireDependency(this.storage, 'storage').signedDownloadUrl(key, {
        ttlSeconds: EXPORT_LINK_TTL_SECONDS,
      });
      return { url: signed.url, expiresAt: signed.expiresAt.toISOString() };
    };
    const { user } = data;
    return {
      exportedAt: now.toISOString(),
      linksExpireAt: new Date(now.getTime() + EXPORT_LINK_TTL_SECONDS * 1000).toISOString(),
      profile: {
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        tier: user.subscriptionTier,
        emailVerified: user.emailVerifiedAt !== null,
        createdAt: user.createdAt.toISOString(),
      },
      credits: {
        balance: summary.balance,
        held: summary.held,
        ledger: data.ledger.map((entry) => ({
          id: entry.id,
          kind: entry.kind,
          amount: entry.amount,
          balanceAfter: entry.balanceAfter,
          jobId: entry.jobId,
          description: entry.description,
          createdAt: entry.createdAt.toISOString(),
        })),
      },
      jobs: await Promise.all(
        data.jobs.map(async (job) => {
          const view = toStatusView(job);
          // The output is paid content: linked only once its download was charged, like GET /api/jobs/{id}/download.
          const paid = job.chargedAt !== null && job.outputKey !== null;
          return {
            jobId: job.id,
            jobType: job.jobType,
            status: job.status,
            inputFilename: job.inputFilename,
            parameters: job.parameters,
            steps: storedSteps(job),
            ...(view.result ? { result: view.result } : {}),
            creditsCharged: job.creditsCharged,
            createdAt: job.createdAt.toISOString(),
            completedAt: iso(job.completedAt),
            ...(job.inputKey ? { input: await link(job.inputKey) } : {}),
            ...(paid && job.outputKey ? { output: await link(job.outputKey) } : {}),
          };
        }),
      ),
      voices: await Promise.all(
        data.voices.map(async (voice) => ({
          id: voice.id,
          name: voice.name,
          description: voice.description,
          isPublic: voice.isPublic,
          characteristics: voice.voiceCharacteristics ?? null,
          createdAt: voice.createdAt.toISOString(),
          sample: await link(voice.sampleKey),
        })),
      ),
      // Never the hash: only what the Developer page shows.
      apiKeys: data.apiKeys.map((key) => ({
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        scopes: [...key.scopes],
        createdAt: key.createdAt.toISOString(),
        expiresAt: iso(key.expiresAt),
        lastUsedAt: iso(key.lastUsedAt),
        revokedAt: iso(key.revokedAt),
      })),
      usage: data.usage.map((row) => ({
        jobId: row.jobId,
        jobType: row.jobType,
        apiKeyId: row.apiKeyId,
        audioSeconds: row.audioSeconds,
        creditsUsed: row.creditsUsed,
        createdAt: row.createdAt.toISOString(),
      })),
      payments: data.payments.map((payment) => ({
        provider: payment.provider,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        creditsPurchased: payment.creditsPurchased,
        status: payment.status,
        createdAt: payment.createdAt.toISOString(),
      })),
    };
  }

  /**
   * Re-authenticates with the password, erases the account in one transaction, then deletes its files. A file that
   * cannot be deleted is logged and left (a sweep can retry): the erasure has committed and must not be undone.
   */
  async deleteAccount(userId: string, password: string): Promise<void> {
    const user = await findUserById(this.db, userId);
    if (!user || user.deletedAt) throw accountGone();
    // argon2 runs on libuv's thread pool, not the event loop.
    const valid = await argon2.verify(user.passwordHash, password).catch(() => false);
    if (!valid) throw new DomainError('INVALID_PASSWORD', HttpStatus.UNAUTHORIZED, 'The password is not correct');
    const result = await eraseAccount(this.db, userId, new Date());
    switch (result.status) {
      case 'not_found':
        throw accountGone();
      case 'admin':
        throw conflict(
          'ADMIN_ACCOUNT',
          'An admin account cannot be deleted: it is recreated from ADMIN_EMAIL at start and signs the audit log. ' +
            'Ask the operator to remove it from ADMIN_EMAIL and demote it first.',
        );
      case 'jobs_active':
        throw conflict(
          'JOBS_ACTIVE',
          `${result.activeJobs} job(s) are still pending or running: cancel them or wait for them to finish, ` +
            'then delete the account.',
        );
      case 'erased':
        await this.deleteFiles(userId, result.storageKeys, result.storagePrefixes);
        return;
      default:
        return assertNever(result);
    }
  }

  private async deleteFiles(userId: string, keys: string[], prefixes: string[]): Promise<void> {
    if (keys.length === 0 && prefixes.length === 0) return;
    const storage = this.storage;
    if (!storage) {
      this.logger.error(`Erased account ${userId}: no storage configured, ${keys.length} file(s) left`);
      return;
    }
    const targets = [...keys, ...prefixes];
    const outcomes = await Promise.allSettled([
      ...keys.map((key) => storage.delete(key)),
      ...prefixes.map((prefix) => storage.deletePrefix(prefix)),
    ]);
    const failed = targets.filter((_key, index) => outcomes[index]?.status === 'rejected');
    if (failed.length > 0) {
      this.logger.error(`Erased account ${userId}: ${failed.length} file(s) not deleted: ${failed.join(', ')}`);
    }
  }
}

function assertNever(value: never): never {
  throw new Error(`Unexpected erase result: ${JSON.stringify(value)}`);
}
