import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiQuery } from '@nestjs/swagger';
import { ADMIN_ACTIONS, type AdminAction } from '@voice/db';
import { JOB_STATUSES, SUBSCRIPTION_TIERS, type JobStatus, type SubscriptionTier } from '@voice/shared';
import type { z } from 'zod/v4';

import { openApiSchema, type SchemaObject } from '../../common/openapi';
import { HealthResponseDto } from '../../health/dto/health.dto';
import { ModelListDto } from '../../jobs/dto/models.dto';

/**
 * One `@ApiQuery` per property of a zod query schema, so the document lists exactly what the ZodValidationPipe
 * accepts (names, types, bounds, enums, descriptions) without restating it.
 */
export function ApiQueryFrom(schema: z.ZodObject): MethodDecorator {
  const document = openApiSchema(schema);
  const properties = (document.properties ?? {}) as Record<string, SchemaObject>;
  const required = new Set(document.required ?? []);
  return applyDecorators(
    ...Object.entries(properties).map(([name, property]) =>
      ApiQuery({
        name,
        required: required.has(name),
        schema: property,
        ...(property.description ? { description: property.description } : {}),
      }),
    ),
  );
}

export class AdminUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['user', 'admin'] }) role!: 'user' | 'admin';
  @ApiProperty({ enum: SUBSCRIPTION_TIERS, description: 'Premium jobs get a higher priority on the GPU queue.' })
  tier!: SubscriptionTier;
  @ApiProperty({ description: 'Suspended accounts cannot sign in; their tokens are refused.' }) suspended!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) suspendedAt!: string | null;
  @ApiProperty({ description: 'Available credit-seconds.' }) creditsRemaining!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AdminUserPageDto {
  @ApiProperty({ type: [AdminUserDto] }) items!: AdminUserDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class LedgerEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['grant', 'purchase', 'hold', 'hold_release', 'charge', 'refund', 'adjustment'] })
  kind!: string;
  @ApiProperty({ description: 'Signed credit-seconds.' }) amount!: number;
  @ApiProperty() balanceAfter!: number;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) jobId!: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'The admin who made this entry.' }) adminId?: string;
  @ApiPropertyOptional({ description: 'Why the admin made it.' }) reason?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AdminJobDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() userEmail!: string;
  @ApiProperty({ enum: SUBSCRIPTION_TIERS, description: 'The owner’s tier now.' }) userTier!: SubscriptionTier;
  @ApiProperty({ example: 'denoise+dub' }) jobType!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: JobStatus;
  @ApiProperty() progress!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() workflowId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The run in the Temporal Web UI (TEMPORAL_UI_PUBLIC_URL, else the embedded dev server’s UI); null when neither ' +
      'is known.',
    example: 'http://127.0.0.1:8233/namespaces/default/workflows/job-1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  })
  temporalUrl!: string | null;
  @ApiProperty({ type: Number, nullable: true }) inputDurationMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) outputDurationMs!: number | null;
  @ApiProperty() creditsHeld!: number;
  @ApiProperty({ type: Number, nullable: true }) creditsCharged!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt!: string | null;
}

export class AdminJobPageDto {
  @ApiProperty({ type: [AdminJobDto] }) items!: AdminJobDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class AuditEntryDto {
  @ApiProperty({ description: 'Increasing: the order of the log.' }) id!: number;
  @ApiProperty({ format: 'uuid' }) adminId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null when the admin account no longer exists.' })
  adminEmail!: string | null;
  @ApiProperty({ enum: ADMIN_ACTIONS }) action!: AdminAction;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) targetUserId!: string | null;
  @ApiProperty({ type: String, nullable: true }) targetEmail!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) targetJobId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What changed and why: `reason`, and per action the amount, the tier before and after, …',
    example: { reason: 'outage compensation', amount: 600, balanceAfter: 2400 },
  })
  details!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({ type: Number, nullable: true, description: 'Pass as `before` for the next (older) page.' })
  nextCursor!: number | null;
}

export class AdminCreditsDto {
  @ApiProperty({ description: 'Available credit-seconds.' }) balance!: number;
  @ApiProperty({ description: 'Credit-seconds held by running jobs.' }) held!: number;
}

export class AdminUserDetailDto {
  @ApiProperty({ type: AdminUserDto }) user!: AdminUserDto;
  @ApiProperty({ type: AdminCreditsDto }) credits!: AdminCreditsDto;
  @ApiProperty({ type: [LedgerEntryDto], description: 'The latest ledger entries, newest first.' })
  ledger!: LedgerEntryDto[];
  @ApiProperty({ type: [AdminJobDto], description: 'The latest jobs, newest first.' }) jobs!: AdminJobDto[];
  @ApiProperty({ description: 'All of the user’s jobs.' }) jobsTotal!: number;
  @ApiProperty({ type: [AuditEntryDto], description: 'The latest admin actions on this user.' })
  audit!: AuditEntryDto[];
}

export class AccountActionResultDto {
  @ApiProperty({ type: AdminUserDto }) user!: AdminUserDto;
  @ApiProperty({ description: 'False when the account was already so: nothing was written to the log.' })
  changed!: boolean;
  @ApiPropertyOptional({ description: 'Suspension: refresh tokens revoked (every sign-in on every device).' })
  revokedRefreshTokens?: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The audit log row of this action.' })
  auditId!: number | null;
}

export class CreditAdjustmentResultDto {
  @ApiProperty({ format: 'uuid', description: 'The ledger entry.' }) entryId!: string;
  @ApiProperty({ description: 'Available credit-seconds right after the entry.' }) balance!: number;
  @ApiProperty({ description: 'True when this Idempotency-Key was used already: nothing changed.' })
  replayed!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'The audit log row (null on a replay).' })
  auditId!: number | null;
}

export class QueueStatsDto {
  @ApiProperty({ description: 'Tasks waiting for a worker.' }) approximateBacklogCount!: number;
  @ApiProperty({ description: 'Age of the oldest waiting task, seconds.' }) approximateBacklogAgeSeconds!: number;
  @ApiProperty({ description: 'Tasks per second added (30 s average).' }) tasksAddRate!: number;
  @ApiProperty({ description: 'Tasks per second dispatched (30 s average).' }) tasksDispatchRate!: number;
}

export class QueuePollerDto {
  @ApiProperty({ example: '4242@gpu-host-1' }) identity!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAccessTime!: string | null;
  @ApiProperty() ratePerSecond!: number;
}

export class TaskQueueDto {
  @ApiProperty({ enum: ['cpu', 'media', 'gpu'], description: 'What the queue serves.' })
  role!: 'cpu' | 'media' | 'gpu';
  @ApiProperty({ example: 'voice-gpu' }) name!: string;
  @ApiProperty({ enum: ['workflow', 'activity'] }) kind!: 'workflow' | 'activity';
  @ApiProperty({ type: [QueuePollerDto] }) pollers!: QueuePollerDto[];
  @ApiPropertyOptional({ type: QueueStatsDto }) stats?: QueueStatsDto;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/QueueStatsDto' },
    description: 'The backlog per task priority key in use (premium GPU tasks are key 1, free ones key 3).',
  })
  statsByPriorityKey?: Record<string, QueueStatsDto>;
  @ApiPropertyOptional({ description: 'Why the queue could not be described (Temporal unreachable, …).' })
  error?: string;
}

export class WorkerQueueDto {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['workflow', 'activity'] }) kind!: 'workflow' | 'activity';
}

export class WorkerDto {
  @ApiProperty({ description: 'The worker’s identity as it polls.', example: '4242@gpu-host-1' }) identity!: string;
  @ApiProperty({ type: [WorkerQueueDto] }) queues!: WorkerQueueDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSeen!: string | null;
}

export class TemporalInfoDto {
  @ApiProperty({ example: 'default' }) namespace!: string;
  @ApiProperty({ type: String, nullable: true }) uiUrl!: string | null;
  @ApiProperty({ description: 'False when this API runs without Temporal.' }) configured!: boolean;
}

export class SystemDto {
  @ApiProperty({ type: HealthResponseDto }) health!: HealthResponseDto;
  @ApiProperty({ type: TemporalInfoDto }) temporal!: TemporalInfoDto;
  @ApiProperty({ type: [TaskQueueDto] }) taskQueues!: TaskQueueDto[];
  @ApiProperty({ type: [WorkerDto], description: 'Every worker identity polling one of the queues.' })
  workers!: WorkerDto[];
  @ApiProperty({ type: ModelListDto }) models!: ModelListDto;
}
