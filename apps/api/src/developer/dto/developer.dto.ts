import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES, type ApiKeyScope } from '@voice/db';
import { z } from 'zod/v4';

export const API_KEY_STATUSES = ['active', 'expired', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

export const createApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .min(1, { error: 'choose at least one scope' })
      .transform((scopes) => [...new Set(scopes)]),
    /** ISO 8601 with an offset; omitted or null: the key never expires. Must be in the future (checked at create). */
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();
export type CreateApiKeyInput = z.output<typeof createApiKeySchema>;

export const apiKeyIdSchema = z.uuid({ error: 'must be an API key id (UUID)' });

export const usageQuerySchema = z
  .object({
    from: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }).optional(),
    to: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }).optional(),
    key: z.uuid({ error: 'must be an API key id (UUID)' }).optional(),
  })
  .strict();
export type UsageQueryInput = z.output<typeof usageQuerySchema>;

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'CI pipeline' }) name!: string;
  @ApiProperty({ example: 'vp_live_ab12', description: 'The first 12 characters of the key, to tell keys apart' })
  prefix!: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes!: ApiKeyScope[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'To the minute' })
  lastUsedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null: never expires' })
  expiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
  @ApiProperty({ enum: API_KEY_STATUSES, description: 'Only an active key authenticates' }) status!: ApiKeyStatus;
}

export class CreatedApiKeyDto {
  @ApiProperty({ type: ApiKeyDto }) key!: ApiKeyDto;
  @ApiProperty({
    example: 'vp_live_ab12…',
    description: 'The key itself. Shown only in this response: only its hash is stored, so it cannot be shown again.',
  })
  secret!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto], description: 'Newest first, revoked and expired keys included' })
  items!: ApiKeyDto[];
}

export class UsageFiguresDto {
  @ApiProperty({ description: 'Minutes of output delivered (charged), to 3 decimals', example: 1.5 })
  minutes!: number;
  @ApiProperty({ description: 'Credits charged (1 credit = 1 second of output)', example: 90 })
  credits!: number;
  @ApiProperty({ description: 'Charges (first downloads) counted', example: 2 })
  charges!: number;
}

export class UsageRowDto extends UsageFiguresDto {
  @ApiProperty({ format: 'date', description: 'UTC day of the charge', example: '2026-03-01' }) day!: string;
  @ApiProperty({ description: 'The job type (its steps joined by `+`)', example: 'denoise' }) feature!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The key that submitted the jobs; null: the web app',
  })
  keyId!: string | null;
}

export class UsageDailyDto extends UsageFiguresDto {
  @ApiProperty({ format: 'date', example: '2026-03-01' }) day!: string;
  @ApiProperty({ example: 'denoise' }) feature!: string;
}

export class UsageKeyTotalDto extends UsageFiguresDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null: jobs from the web app' })
  keyId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The key name; null for the web app' })
  name!: string | null;
  @ApiProperty({ type: String, nullable: true }) prefix!: string | null;
}

export class UsageReportDto {
  @ApiProperty({ format: 'date', description: 'First day counted (UTC), inclusive' }) from!: string;
  @ApiProperty({ format: 'date', description: 'Last day counted (UTC), inclusive' }) to!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The key filter, if any' })
  keyId!: string | null;
  @ApiProperty({ type: [UsageRowDto], description: 'Per day, feature and key; days without charges are left out' })
  rows!: UsageRowDto[];
  @ApiProperty({ type: [UsageDailyDto], description: 'Per day and feature, over every key (and the web app)' })
  daily!: UsageDailyDto[];
  @ApiProperty({ type: [UsageKeyTotalDto], description: 'Per key over the range' })
  byKey!: UsageKeyTotalDto[];
  @ApiProperty({ type: UsageFiguresDto }) total!: UsageFiguresDto;
}
