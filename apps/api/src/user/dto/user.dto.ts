import { ApiProperty } from '@nestjs/swagger';
import { CREDIT_UNIT, SUBSCRIPTION_TIERS, type SubscriptionTier } from '@voice/shared';

/**
 * Credits are integers counted in seconds of audio: 1 credit = 1 second. Users are charged per
 * downloaded minute prorated by the second, so the minute figures are derived for display only.
 */
export class CreditsResponseDto {
  @ApiProperty({ description: 'Available credits (seconds of audio), already net of holds.', example: 1800 })
  creditsRemaining!: number;

  @ApiProperty({ description: 'Credits reserved by jobs that are still running.', example: 0 })
  creditsHeld!: number;

  @ApiProperty({ enum: [CREDIT_UNIT], description: '1 credit = 1 second of audio.' })
  unit!: typeof CREDIT_UNIT;

  @ApiProperty({ description: 'creditsRemaining / 60, rounded down to 2 decimals.', example: 30 })
  creditsRemainingMinutes!: number;

  @ApiProperty({ description: 'creditsHeld / 60, rounded up to 2 decimals.', example: 0 })
  creditsHeldMinutes!: number;
}

export class UserProfileDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: ['user', 'admin'] })
  role!: 'user' | 'admin';

  @ApiProperty({
    enum: SUBSCRIPTION_TIERS,
    description: 'The plan, set by an admin: premium jobs run ahead of free ones when the GPU queue is busy.',
  })
  tier!: SubscriptionTier;

  @ApiProperty({ description: 'Available credits in seconds of audio.' })
  creditsRemaining!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
