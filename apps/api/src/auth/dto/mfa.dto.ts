import { ApiProperty } from '@nestjs/swagger';
import { z } from 'zod/v4';

import { openApiSchema } from '../../common/openapi';
import { TOTP_DIGITS, TOTP_PERIOD_SECONDS } from '../mfa/totp';
import { AuthResponseDto } from './auth.dto';

export const mfaLoginSchema = z.object({
  mfaToken: z.string().min(1, 'must not be empty').max(2048),
  code: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64)
    .describe(`The ${TOTP_DIGITS}-digit code from the authenticator app, or one of the recovery codes.`),
});
export type MfaLoginInput = z.output<typeof mfaLoginSchema>;

export const mfaConfirmSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(new RegExp(`^\\d{${TOTP_DIGITS}}$`), `must be the ${TOTP_DIGITS}-digit code from the authenticator app`),
});
export type MfaConfirmInput = z.output<typeof mfaConfirmSchema>;

export const mfaLoginBodySchema = openApiSchema(mfaLoginSchema);
export const mfaConfirmBodySchema = openApiSchema(mfaConfirmSchema);

/** What POST /api/auth/login answers for an admin with a second factor: no session yet, no cookie. */
export class MfaChallengeDto {
  @ApiProperty({ enum: [true], description: 'Always true: complete the sign-in with POST /api/auth/mfa.' })
  mfaRequired!: true;

  @ApiProperty({ description: 'Single-purpose token for POST /api/auth/mfa; proves the password step only.' })
  mfaToken!: string;

  @ApiProperty({ description: 'Seconds until the MFA token expires.', example: 300 })
  expiresIn!: number;
}

export class MfaEnrolmentDto {
  @ApiProperty({
    description: `otpauth://totp URI (SHA1, ${TOTP_DIGITS} digits, ${TOTP_PERIOD_SECONDS} s) for the authenticator app.`,
    example:
      'otpauth://totp/Voice%20Platform:ada%40example.com?issuer=Voice%20Platform&secret=…&algorithm=SHA1&digits=6&period=30',
  })
  otpauthUri!: string;

  @ApiProperty({ description: 'The same URI as a QR code, an SVG document.' })
  qrCodeSvg!: string;

  @ApiProperty({ description: 'The base32 secret, for typing into an app that cannot scan.' })
  secret!: string;
}

export class MfaConfirmationDto extends AuthResponseDto {
  @ApiProperty({
    type: [String],
    description:
      'Ten single-use recovery codes, shown this once (only their hashes are stored). Each signs in once in place ' +
      'of a one-time code.',
    example: ['abcd-efgh-jkmn-pqrs'],
  })
  recoveryCodes!: string[];
}
