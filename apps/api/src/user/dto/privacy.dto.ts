import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { z } from 'zod/v4';

import { PASSWORD_MAX_LENGTH } from '../../auth/dto/auth.dto';
import { openApiSchema } from '../../common/openapi';

/** Re-authentication for erasing the account: the current password. */
export const deleteAccountSchema = z.object({
  password: z.string().min(1, 'must not be empty').max(PASSWORD_MAX_LENGTH),
});
export type DeleteAccountInput = z.output<typeof deleteAccountSchema>;
export const deleteAccountBodySchema = openApiSchema(deleteAccountSchema);

/** A time-limited link to one of the user's own files. */
export class ExportLinkDto {
  @ApiProperty()
  url!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;
}

export class ExportProfileDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['user', 'admin'] }) role!: 'user' | 'admin';
  @ApiProperty() tier!: string;
  @ApiProperty() emailVerified!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ExportLedgerEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ description: 'Signed credit-seconds.' }) amount!: number;
  @ApiProperty() balanceAfter!: number;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) jobId!: string | null;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ExportCreditsDto {
  @ApiProperty({ description: 'Available credit-seconds.' }) balance!: number;
  @ApiProperty({ description: 'Credit-seconds held by running jobs.' }) held!: number;
  @ApiProperty({ type: [ExportLedgerEntryDto] }) ledger!: ExportLedgerEntryDto[];
}

export class ExportJobDto {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty() jobType!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: String, nullable: true }) inputFilename!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The request as submitted.' })
  parameters!: Record<string, unknown>;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  steps!: unknown[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'As GET /api/jobs/{id} shows it: paid content only once the download was charged.',
  })
  result?: unknown;
  @ApiProperty({ type: Number, nullable: true }) creditsCharged!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completedAt!: string | null;
  @ApiPropertyOptional({ type: ExportLinkDto, description: 'The uploaded input.' }) input?: ExportLinkDto;
  @ApiPropertyOptional({ type: ExportLinkDto, description: 'The output, only once its download was charged.' })
  output?: ExportLinkDto;
}

export class ExportVoiceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty() isPublic!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  characteristics!: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: ExportLinkDto }) sample!: ExportLinkDto;
}

export class ExportApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() prefix!: string;
  @ApiProperty({ type: [String] }) scopes!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) expiresAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastUsedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revokedAt!: string | null;
}

export class ExportUsageDto {
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) jobId!: string | null;
  @ApiProperty() jobType!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) apiKeyId!: string | null;
  @ApiProperty() audioSeconds!: number;
  @ApiProperty() creditsUsed!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ExportPaymentDto {
  @ApiProperty() provider!: string;
  @ApiProperty() amountMinor!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() creditsPurchased!: number;
  @ApiProperty() status!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AccountExportDto {
  @ApiProperty({ format: 'date-time' }) exportedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When the file links stop working.' }) linksExpireAt!: string;
  @ApiProperty({ type: ExportProfileDto }) profile!: ExportProfileDto;
  @ApiProperty({ type: ExportCreditsDto }) credits!: ExportCreditsDto;
  @ApiProperty({ type: [ExportJobDto] }) jobs!: ExportJobDto[];
  @ApiProperty({ type: [ExportVoiceDto] }) voices!: ExportVoiceDto[];
  @ApiProperty({ type: [ExportApiKeyDto] }) apiKeys!: ExportApiKeyDto[];
  @ApiProperty({ type: [ExportUsageDto] }) usage!: ExportUsageDto[];
  @ApiProperty({ type: [ExportPaymentDto] }) payments!: ExportPaymentDto[];
}
