import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AdminMfaStatusDto {
  @ApiProperty({ description: 'A second factor is confirmed.' })
  enrolled!: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the factor was confirmed.' })
  enrolledAt?: string;

  @ApiProperty({ description: 'Recovery codes not used yet.', example: 10 })
  recoveryCodesRemaining!: number;
}

export class AdminProfileDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'admin@example.com' })
  email!: string;

  @ApiProperty({ example: 'Administrator' })
  name!: string;

  @ApiProperty({ enum: ['admin'] })
  role!: 'admin';

  @ApiProperty({ type: AdminMfaStatusDto })
  mfa!: AdminMfaStatusDto;
}
