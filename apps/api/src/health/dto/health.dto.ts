import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export type HealthStatus = 'ok' | 'starting' | 'degraded';

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
    enum: ['ok', 'starting', 'degraded'],
    description: '`starting` until every probe has passed once, `degraded` when one fails afterwards.',
  })
  status!: HealthStatus;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ProbeResultDto' },
    example: { database: { status: 'up', latencyMs: 2 } },
  })
  checks!: Record<string, ProbeResultDto>;
}
