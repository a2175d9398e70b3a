import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Env } from '@voice/config';
import type { Response } from 'express';

import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import {
  type MfaConfirmInput,
  MfaConfirmationDto,
  mfaConfirmBodySchema,
  mfaConfirmSchema,
  MfaEnrolmentDto,
} from '../auth/dto/mfa.dto';
import { MfaService } from '../auth/mfa/mfa.service';
import { withSessionCookie } from '../auth/refresh-cookie';
import { MfaEnrolmentRoute, Roles } from '../auth/roles/roles.decorator';
import { ErrorResponseDto } from '../common/openapi';
import { ENV } from '../common/tokens';
import { ZodValidationPipe } from '../common/zod-validation.pipe';

/** TOTP enrolment: the only admin routes an admin reaches before a second factor is confirmed. */
@ApiTags('admin')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
@Roles('admin')
@Controller('admin/mfa')
export class AdminMfaController {
  constructor(
    private readonly mfa: MfaService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  @Post('enrol')
  @HttpCode(HttpStatus.OK)
  @MfaEnrolmentRoute()
  @ApiOperation({
    summary: 'Start TOTP enrolment',
    description:
      'Generates a new secret (replacing an unconfirmed one) and answers its otpauth:// URI and QR code. The factor ' +
      'counts only after POST /api/admin/mfa/confirm.',
  })
  @ApiOkResponse({ type: MfaEnrolmentDto })
  @ApiConflictResponse({ description: 'MFA_ALREADY_ENROLLED', type: ErrorResponseDto })
  enrol(@CurrentUser() caller: AuthPrincipal): Promise<MfaEnrolmentDto> {
    return this.mfa.startEnrolment(caller.userId);
  }

  @Post('confirm')
  @HttpCode(HttpStatus.OK)
  @MfaEnrolmentRoute()
  @ApiOperation({
    summary: 'Confirm TOTP enrolment with a first code',
    description:
      'Answers ten single-use recovery codes, shown this once. Sessions from before enrolment are revoked; this ' +
      'response opens a new one that passed the second factor (new access token, refresh cookie on /api/auth).',
  })
  @ApiBody({ schema: mfaConfirmBodySchema })
  @ApiOkResponse({ type: MfaConfirmationDto })
  @ApiBadRequestResponse({ description: 'INVALID_MFA_CODE or a malformed code.', type: ErrorResponseDto })
  @ApiConflictResponse({
    description: 'MFA_ALREADY_ENROLLED or MFA_NOT_PENDING (enrol first).',
    type: ErrorResponseDto,
  })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts; see Retry-After.', type: ErrorResponseDto })
  async confirm(
    @CurrentUser() caller: AuthPrincipal,
    @Body(new ZodValidationPipe(mfaConfirmSchema)) body: MfaConfirmInput,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MfaConfirmationDto> {
    const { recoveryCodes, session } = await this.mfa.confirmEnrolment(caller.userId, body.code);
    return { ...withSessionCookie(response, session, this.env.COOKIE_SECURE), recoveryCodes };
  }
}
