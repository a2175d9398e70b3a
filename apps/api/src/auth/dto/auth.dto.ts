import { ApiProperty } from '@nestjs/swagger';
import { z } from 'zod/v4';

import { openApiSchema } from '../../common/openapi';
import { hasNonWhitespace, isCommonPassword } from '../password/password-policy';

export const PASSWORD_MIN_LENGTH = 8;
// argon2 would hash megabytes happily; the cap keeps a login from becoming a CPU/memory lever.
export const PASSWORD_MAX_LENGTH = 256;

/** Emails are compared lowercased (the users table has a unique index on lower(email)). */
const email = z.string().trim().toLowerCase().email('must be a valid email address').max(254);

export const registerSchema = z.object({
  email,
  // NIST 800-63B: a length floor and a blocklist, no composition rules, long passphrases welcome.
  password: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
    .refine(hasNonWhitespace, 'must not be only whitespace')
    .refine(
      (password) => !isCommonPassword(password),
      'is one of the most commonly used passwords; choose another (a few unrelated words make a strong one)',
    ),
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
});
export type RegisterInput = z.output<typeof registerSchema>;

/** Login checks only shape: format rules here would tell an attacker which accounts cannot exist. */
export const loginSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, 'must not be empty').max(254),
  password: z.string().min(1, 'must not be empty').max(PASSWORD_MAX_LENGTH),
});
export type LoginInput = z.output<typeof loginSchema>;

export const registerBodySchema = openApiSchema(registerSchema);
export const loginBodySchema = openApiSchema(loginSchema);

export class AuthUserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada' })
  name!: string;

  @ApiProperty({ enum: ['user', 'admin'] })
  role!: 'user' | 'admin';

  @ApiProperty({ description: 'Available credits in seconds of audio (1 credit = 1 second).', example: 1800 })
  creditsRemaining!: number;

  @ApiProperty({
    description:
      'Whether the owner opened the link mailed at sign-up. Unverified accounts can sign in and submit jobs, but ' +
      'downloads answer 403 EMAIL_NOT_VERIFIED; POST /api/auth/resend-verification mails a new link.',
  })
  emailVerified!: boolean;
}

export class AuthResponseDto {
  @ApiProperty({
    description: 'HS256 JWT for `Authorization: Bearer`. The refresh token is set as an httpOnly cookie instead.',
  })
  accessToken!: string;

  @ApiProperty({ description: 'Seconds until the access token expires.', example: 900 })
  expiresIn!: number;

  @ApiProperty({ type: AuthUserDto })
  user!: AuthUserDto;
}
