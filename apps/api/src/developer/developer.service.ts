import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import {
  type ApiKey,
  countLiveApiKeys,
  type Database,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  usageByDayFeatureKey,
  type UsageRow,
} from '@voice/db';

import { displayPrefix, generateApiKeySecret, hashApiKey } from '../auth/api-keys/api-key-secret';
import { DomainError, notFound, validationError } from '../common/domain-error';
import { DATABASE } from '../common/tokens';
import type {
  ApiKeyDto,
  ApiKeyStatus,
  CreateApiKeyInput,
  CreatedApiKeyDto,
  UsageFiguresDto,
  UsageQueryInput,
  UsageReportDto,
} from './dto/developer.dto';

/** Live keys a user may hold at once: plenty for real use, and a bound on what one account can mint. */
export const MAX_LIVE_API_KEYS = 25;
/** The default usage range: the last 30 UTC days, today included. */
export const DEFAULT_USAGE_DAYS = 30;
/** Longest usage range one request may ask for. */
export const MAX_USAGE_DAYS = 366;
const DAY_MS = 86_400_000;

/** Developer keys (created, listed, revoked by a signed-in user) and usage per day, feature and key. */
@Injectable()
export class DeveloperService {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async createKey(userId: string, input: CreateApiKeyInput): Promise<CreatedApiKeyDto> {
    const now = new Date();
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= now.getTime()) {
      throw validationError('Invalid request body: expiresAt: must be in the future', [
        { field: 'expiresAt', message: 'must be in the future' },
      ]);
    }
    if ((await countLiveApiKeys(this.db, userId, now)) >= MAX_LIVE_API_KEYS) {
      throw new DomainError(
        'API_KEY_LIMIT_REACHED',
        HttpStatus.CONFLICT,
        `At most ${MAX_LIVE_API_KEYS} active API keys per account; revoke one first`,
      );
    }
    const secret = generateApiKeySecret();
    const key = await insertApiKey(this.db, {
      userId,
      name: input.name,
      keyHash: hashApiKey(secret),
      prefix: displayPrefix(secret),
      scopes: input.scopes,
      expiresAt,
    });
    return { key: toApiKeyDto(key, now), secret };
  }

  async listKeys(userId: string): Promise<{ items: ApiKeyDto[] }> {
    const now = new Date();
    return { items: (await listApiKeys(this.db, userId)).map((key) => toApiKeyDto(key, now)) };
  }

  /** Idempotent: revoking a revoked key answers it as it is. Another user's key is not found. */
  async revokeKey(userId: string, keyId: string): Promise<ApiKeyDto> {
    const now = new Date();
    const key = await revokeApiKey(this.db, userId, keyId, now);
    if (!key) throw apiKeyNotFound(keyId);
    return toApiKeyDto(key, now);
  }

  async usage(userId: string, query: UsageQueryInput, today = new Date()): Promise<UsageReportDto> {
    const range = usageRange(query, today);
    const keys = await listApiKeys(this.db, userId);
    if (query.key !== undefined && !keys.some((key) => key.id === query.key)) {
      // Also for a key of someone else: as absent as one that never existed.
      throw apiKeyNotFound(query.key);
    }
    const rows = await usageByDayFeatureKey(this.db, {
      userId,
      from: range.from,
      until: range.until,
      ...(query.key !== undefined ? { apiKeyId: query.key } : {}),
    });
    return buildUsageReport(rows, keys, { from: range.fromDay, to: range.toDay, keyId: query.key ?? null });
  }
}

function apiKeyNotFound(keyId: string): DomainError<'API_KEY_NOT_FOUND'> {
  return notFound('API_KEY_NOT_FOUND', `API key ${keyId} not found`);
}

export function apiKeyStatus(key: ApiKey, now: Date): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** The public shape of a key: never its hash. */
export function toApiKeyDto(key: ApiKey, now: Date): ApiKeyDto {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    status: apiKeyStatus(key, now),
  };
}

interface UsageRange {
  fromDay: string;
  toDay: string;
  from: Date;
  /** Midnight UTC after `toDay`. */
  until: Date;
}

/** UTC days, both ends inclusive; by default the DEFAULT_USAGE_DAYS days ending today. */
export function usageRange(query: Pick<UsageQueryInput, 'from' | 'to'>, today: Date): UsageRange {
  const toDay = query.to ?? today.toISOString().slice(0, 10);
  const to = Date.parse(`${toDay}T00:00:00Z`);
  const fromDay = query.from ?? new Date(to - (DEFAULT_USAGE_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  const from = Date.parse(`${fromDay}T00:00:00Z`);
  if (from > to) {
    throw validationError('Invalid query: from: must not be after to', [
      { field: 'from', message: 'must not be after to' },
    ]);
  }
  if ((to - from) / DAY_MS + 1 > MAX_USAGE_DAYS) {
    throw validationError(`Invalid query: from: the range may span at most ${MAX_USAGE_DAYS} days`, [
      { field: 'from', message: `the range may span at most ${MAX_USAGE_DAYS} days` },
    ]);
  }
  return { fromDay, toDay, from: new Date(from), until: new Date(to + DAY_MS) };
}

interface Sum {
  seconds: number;
  credits: number;
  charges: number;
}

const emptySum = (): Sum => ({ seconds: 0, credits: 0, charges: 0 });

function add(sum: Sum, row: UsageRow): void {
  sum.seconds += row.audioSeconds;
  sum.credits += row.credits;
  sum.charges += row.charges;
}

/** Minutes to 3 decimals from the exact seconds; credits and charges are integers and stay exact. */
function figures(sum: Sum): UsageFiguresDto {
  return { minutes: Math.round((sum.seconds / 60) * 1000) / 1000, credits: sum.credits, charges: sum.charges };
}

/** The report's totals are summed here from the grouped rows, so every level adds up to the same charges. */
export function buildUsageReport(
  rows: readonly UsageRow[],
  keys: readonly ApiKey[],
  range: { from: string; to: string; keyId: string | null },
): UsageReportDto {
  const daily = new Map<string, { day: string; feature: string; sum: Sum }>();
  const byKey = new Map<string | null, Sum>();
  const total = emptySum();
  for (const row of rows) {
    const dayKey = JSON.stringify([row.day, row.feature]);
    const day = daily.get(dayKey) ?? { day: row.day, feature: row.feature, sum: emptySum() };
    add(day.sum, row);
    daily.set(dayKey, day);
    const keySum = byKey.get(row.apiKeyId) ?? emptySum();
    add(keySum, row);
    byKey.set(row.apiKeyId, keySum);
    add(total, row);
  }
  const keyById = new Map(keys.map((key) => [key.id, key]));
  return {
    from: range.from,
    to: range.to,
    keyId: range.keyId,
    rows: rows.map((row) => {
      const sum = emptySum();
      add(sum, row);
      return { day: row.day, feature: row.feature, keyId: row.apiKeyId, ...figures(sum) };
    }),
    // Rows arrive ordered by day then feature, and Maps keep insertion order.
    daily: [...daily.values()].map(({ day, feature, sum }) => ({ day, feature, ...figures(sum) })),
    byKey: [...byKey.entries()].map(([keyId, sum]) => {
      const key = keyId === null ? undefined : keyById.get(keyId);
      return { keyId, name: key?.name ?? null, prefix: key?.prefix ?? null, ...figures(sum) };
    }),
    total: figures(total),
  };
}
