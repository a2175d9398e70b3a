import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export type HealthStatus = 'ok' | 'starting' | 'degraded' | 'draining';

export class ProbeResultDto {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';

  @ApiProperty({ example: 3 })
  latencyMs!: number;

  @ApiPropertyOptional({
    enum: ['failed', 'timeout'],
    description: 'Why the probe is down; details go to the server log.',
  })
  reason?: 'failed' | 'timeout';
}

export class HealthResponseDto {
  @ApiProperty({
    enum: ['ok', 'starting', 'degraded', 'draining'],
    description:
      '`starting` until every probe has passed once, `degraded` when one fails afterwards, `draining` once the ' +
      'process is shutting down (SIGTERM; no checks are run then).',
  })
  status!: HealthStatus;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ProbeResultDto' },
    example: { database: { status: 'up', latencyMs: 2 } },
  })
  checks!: Record<string, ProbeResultDto>;
}

export class LivenessResponseDto {
  @ApiProperty({ enum: ['alive'] })
  status!: 'alive';
}
