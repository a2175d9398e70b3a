import { ApiProperty } from '@nestjs/swagger';
import { z } from 'zod/v4';

import { openApiSchema } from '../../common/openapi';
import { registerSchema } from './auth.dto';

/** Opaque tokens are 32 random bytes in base64url; anything longer is refused before it reaches the database. */
export const ACCOUNT_TOKEN_MAX_LENGTH = 128;
export const accountTokenSchema = z.string().min(1, 'must not be empty').max(ACCOUNT_TOKEN_MAX_LENGTH);

export const forgotPasswordSchema = z.object({ email: registerSchema.shape.email });
export type ForgotPasswordInput = z.output<typeof forgotPasswordSchema>;

export const resetPasswordSchema = z.object({
  token: accountTokenSchema,
  // The same rules as at sign-up: a reset must not be the way around the common-password list.
  password: registerSchema.shape.password,
});
export type ResetPasswordInput = z.output<typeof resetPasswordSchema>;

export const forgotPasswordBodySchema = openApiSchema(forgotPasswordSchema);
export const resetPasswordBodySchema = openApiSchema(resetPasswordSchema);

/** The body of every "accepted, look in your inbox" answer: the same whatever the account's state. */
export class AcceptedMessageDto {
  @ApiProperty({ example: 'If the address can receive mail, a message is on its way. Check your inbox.' })
  message!: string;
}

export class EmailVerifiedDto {
  @ApiProperty({ enum: [true] })
  emailVerified!: true;
}

export class MailDeliveryDto {
  @ApiProperty({
    enum: ['smtp', 'outbox'],
    description: '`outbox`: no SMTP_URL, mail is written as .eml files under DATA_DIR/outbox on the server.',
  })
  delivery!: 'smtp' | 'outbox';
}
