import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { z } from 'zod/v4';
import { openApiSchema, type SchemaObject } from '../../common/openapi';
import { JOB_STATUSES } from '@voice/shared';

/** multipart/form-data body: the `audio_file` part plus the given text fields. */
export function audioUploadBody(fields: Record<string, SchemaObject>, requiredFields: string[] = []): SchemaObject {
  return {
    type: 'object',
    required: ['audio_file', ...requiredFields],
    properties: {
      audio_file: { type: 'string', format: 'binary', description: 'WAV, MP3, FLAC, M4A or OGG (detected by content)' },
      ...fields,
    },
  };
}

/**
 * The multipart body of an upload endpoint, documented from the zod schema its fields are validated with.
 * `descriptions` annotates fields whose schema is a JSON-encoded string (steps, operations).
 */
export function multipartBody(fields: z.ZodType, descriptions: Record<string, string> = {}): SchemaObject {
  const schema = openApiSchema(fields);
  const properties: Record<string, SchemaObject> = { ...(schema.properties as Record<string, SchemaObject>) };
  for (const [name, description] of Object.entries(descriptions)) {
    properties[name] = { ...properties[name], type: 'string', description };
  }
  return audioUploadBody(properties, (schema.required as string[] | undefined) ?? []);
}

export class AcceptedJobDto {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty({ enum: JOB_STATUSES, example: 'pending' }) status!: string;
  @ApiProperty({ example: '/api/jobs/6f1c…/status' }) statusUrl!: string;
}

export class JobStatusDto {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty({ example: 'denoise' }) jobType!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiPropertyOptional({ description: 'Why the job failed, in plain words' }) error?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) inputDurationMs!: number | null;
  @ApiProperty({ nullable: true, type: Number }) outputDurationMs!: number | null;
  @ApiProperty({ description: 'Credit-seconds currently held for this job' }) creditsHeld!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Credit-seconds charged at first download' })
  creditsCharged!: number | null;
  @ApiProperty() downloadable!: boolean;
}

export class StepProgressDto {
  @ApiProperty() index!: number;
  @ApiProperty({ example: 'denoise' }) op!: string;
  @ApiProperty({ enum: ['pending', 'running', 'completed', 'failed', 'cancelled', 'skipped'] }) state!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ description: 'Share of the whole job (weights sum to 1)' }) weight!: number;
  @ApiPropertyOptional() model?: string;
  @ApiPropertyOptional({ format: 'date-time' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) completedAt?: string;
}

export class JobProgressDto {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ description: 'True while read from the running workflow' }) live!: boolean;
  @ApiProperty({ type: [StepProgressDto] }) steps!: StepProgressDto[];
  @ApiPropertyOptional() error?: string;
}

export class JobHistoryDto {
  @ApiProperty({ type: [JobStatusDto] }) items!: JobStatusDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class DownloadDto {
  @ApiProperty({ description: 'Time-limited signed URL' }) url!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ description: 'Credit-seconds charged for this job (once, on the first download)' })
  creditsCharged!: number;
  @ApiProperty({ description: 'True when an earlier call already charged' }) alreadyCharged!: boolean;
  @ApiProperty({ enum: ['second'] }) unit!: string;
}
