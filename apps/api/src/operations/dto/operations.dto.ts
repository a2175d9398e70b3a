import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class OperationsQueueDto {
  @ApiProperty({ enum: ['cpu', 'media', 'gpu'], description: 'What the queue serves.' }) role!: 'cpu' | 'media' | 'gpu';
  @ApiProperty({ example: 'voice-gpu' }) name!: string;
  @ApiProperty({
    enum: ['workflow', 'activity'],
    isArray: true,
    description: 'The sides counted: the CPU queue carries workflow tasks and bookkeeping activities.',
  })
  kinds!: Array<'workflow' | 'activity'>;
  @ApiProperty({ description: 'Approximate number of tasks waiting for a worker (voice_task_queue_backlog).' })
  backlog!: number;
  @ApiProperty({ description: 'Approximate age of the oldest waiting task, in seconds.' }) backlogAgeSeconds!: number;
  @ApiProperty({ description: 'Distinct workers the server saw polling the queue in the last minutes.' })
  pollers!: number;
  @ApiPropertyOptional({ description: 'Why the figures are missing (Temporal did not answer); they read 0 then.' })
  error?: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The queue in the Temporal Web UI, when its address is known.',
  })
  temporalUrl!: string | null;
}

export class HeldCreditsDto {
  @ApiProperty({ description: 'Credit-seconds held by jobs right now (voice_credits_held).' }) held!: number;
  @ApiProperty({ description: 'Jobs holding credits: running, or completed and not downloaded yet.' }) holds!: number;
  @ApiProperty({ description: 'Age of the oldest open hold in seconds; 0 when none.' }) oldestAgeSeconds!: number;
}

export class TemporalLinksDto {
  @ApiProperty() namespace!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The Temporal Web UI (TEMPORAL_UI_PUBLIC_URL or the embedded one).',
  })
  uiUrl!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The namespace’s workflow runs in the Web UI.' })
  workflowsUrl!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The namespace’s schedules (retention) in the Web UI.' })
  schedulesUrl!: string | null;
}

export class OperationsDto {
  @ApiProperty({ format: 'date-time', description: 'When the figures were read (they are cached for 5 s).' })
  readAt!: string;
  @ApiProperty({ type: [OperationsQueueDto] }) taskQueues!: OperationsQueueDto[];
  @ApiProperty({ type: HeldCreditsDto, nullable: true, description: 'Null when the database did not answer in time.' })
  credits!: HeldCreditsDto | null;
  @ApiProperty({ type: TemporalLinksDto }) temporal!: TemporalLinksDto;
}
