import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Env } from '@voice/config';
import type { Request, Response } from 'express';

import { ErrorResponseDto, REFRESH_COOKIE_SCHEME } from '../common/openapi';
import { ENV } from '../common/tokens';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AccountEmailService, tokenRefused } from './account-email.service';
import type { AuthPrincipal } from './auth-principal';
import { AuthService, type IssuedSession } from './auth.service';
import { MfaChallengeDto, type MfaLoginInput, mfaLoginBodySchema, mfaLoginSchema } from './dto/mfa.dto';
import { MfaService } from './mfa/mfa.service';
import { CurrentUser } from './decorators/current-user.decorator';
import { Public } from './decorators/public.decorator';
import {
  AcceptedMessageDto,
  EmailVerifiedDto,
  MailDeliveryDto,
  type ForgotPasswordInput,
  forgotPasswordBodySchema,
  forgotPasswordSchema,
  type ResetPasswordInput,
  resetPasswordBodySchema,
  resetPasswordSchema,
} from './dto/account-email.dto';
import {
  AuthResponseDto,
  type LoginInput,
  loginBodySchema,
  loginSchema,
  type RegisterInput,
  registerBodySchema,
  registerSchema,
} from './dto/auth.dto';
import { AuthRateLimit } from './rate-limit/auth-rate-limit.guard';
import { clearRefreshCookie, RefreshTokenCookie, withSessionCookie } from './refresh-cookie';

const SESSION_COOKIE_NOTE = 'Sets the rotating refresh token as an httpOnly, SameSite=Strict cookie on /api/auth.';
/** Identical for every email, registered or not, so the answer tells nobody which addresses have accounts. */
const CHECK_INBOX: AcceptedMessageDto = {
  message: 'If the address can receive mail, a message is on its way. Check your inbox.',
};

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    private readonly accountEmail: AccountEmailService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  @Post('register')
  @Public()
  @HttpCode(HttpStatus.ACCEPTED)
  @AuthRateLimit('register')
  @ApiOperation({
    summary: 'Create an account (with the free credit grant) and mail a verification link',
    description:
      'Answers 202 with the same body whether or not the email already has an account, so nobody learns which ' +
      'addresses are registered: a new email gets an account and a single-use verification link (valid ' +
      'EMAIL_VERIFICATION_TTL_HOURS); an existing one is left as it is and its owner is mailed about the attempt. ' +
      'No session is issued: sign in next with POST /api/auth/login. Until the email is verified the account ' +
      'can sign in and submit jobs, but not download.',
  })
  @ApiBody({ schema: registerBodySchema })
  @ApiAcceptedResponse({ type: AcceptedMessageDto })
  @ApiBadRequestResponse({ description: 'Invalid email, weak password or missing name.', type: ErrorResponseDto })
  async register(@Body(new ZodValidationPipe(registerSchema)) body: RegisterInput): Promise<AcceptedMessageDto> {
    await this.auth.register(body);
    return CHECK_INBOX;
  }

  @Get('verify-email/:token')
  @Public()
  @ApiParam({ name: 'token', description: 'The token from the link in the verification mail.' })
  @ApiOperation({
    summary: 'Verify the email address (the link in the verification mail)',
    description:
      'Opened from the mail in a browser: answers 303 to the web app at `/?verified=1`, or `/?verified=expired`, ' +
      '`/?verified=used`, `/?verified=invalid`. With `Accept: application/json` it answers 200 JSON instead, or ' +
      '400 TOKEN_EXPIRED / TOKEN_USED / TOKEN_INVALID. Each link works once; a newer link replaces older ones.',
  })
  @ApiResponse({ status: 303, description: 'Browsers: redirect to `/?verified=<outcome>`.' })
  @ApiOkResponse({ type: EmailVerifiedDto, description: 'With `Accept: application/json`.' })
  @ApiBadRequestResponse({
    description: 'TOKEN_EXPIRED, TOKEN_USED or TOKEN_INVALID (JSON only).',
    type: ErrorResponseDto,
  })
  async verifyEmail(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const outcome = await this.accountEmail.verifyEmail(token);
    if (request.accepts(['html', 'json']) !== 'json') {
      response.redirect(HttpStatus.SEE_OTHER, `/?verified=${outcome === 'verified' ? '1' : outcome}`);
      return;
    }
    if (outcome !== 'verified') throw tokenRefused(outcome);
    response.status(HttpStatus.OK).json({ emailVerified: true } satisfies EmailVerifiedDto);
  }

  @Get('mail-delivery')
  @Public()
  @ApiOperation({
    summary: 'How this server delivers mail',
    description:
      '`smtp` when SMTP_URL is set; `outbox` in the embedded default, where each mail (verification and reset ' +
      'links) is written as an .eml file under DATA_DIR/outbox, so the web app can say where to look.',
  })
  @ApiOkResponse({ type: MailDeliveryDto })
  mailDelivery(): MailDeliveryDto {
    return { delivery: this.env.SMTP_URL ? 'smtp' : 'outbox' };
  }

  @Post('resend-verification')
  @HttpCode(HttpStatus.ACCEPTED)
  @AuthRateLimit('resend-verification')
  @ApiOperation({ summary: 'Mail a new verification link to the signed-in user (older links stop working)' })
  @ApiAcceptedResponse({ type: AcceptedMessageDto })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'EMAIL_ALREADY_VERIFIED', type: ErrorResponseDto })
  async resendVerification(@CurrentUser() caller: AuthPrincipal): Promise<AcceptedMessageDto> {
    await this.accountEmail.resendVerification(caller.userId);
    return CHECK_INBOX;
  }

  @Post('forgot-password')
  @Public()
  @HttpCode(HttpStatus.ACCEPTED)
  @AuthRateLimit('forgot-password', { addressLimit: 'PASSWORD_RESET_RATE_LIMIT' })
  @ApiOperation({
    summary: 'Mail a password-reset link',
    description:
      'Answers 202 with the same body, in the same time, whatever the email: only a registered one is mailed a ' +
      'single-use link valid PASSWORD_RESET_TTL_MINUTES (at most PASSWORD_RESET_RATE_LIMIT mails per window).',
  })
  @ApiBody({ schema: forgotPasswordBodySchema })
  @ApiAcceptedResponse({ type: AcceptedMessageDto })
  @ApiBadRequestResponse({ description: 'Not an email address.', type: ErrorResponseDto })
  forgotPassword(@Body(new ZodValidationPipe(forgotPasswordSchema)) body: ForgotPasswordInput): AcceptedMessageDto {
    this.accountEmail.forgotPassword(body.email);
    return CHECK_INBOX;
  }

  @Post('reset-password')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @AuthRateLimit('reset-password', { addressLimit: 'PASSWORD_RESET_RATE_LIMIT' })
  @ApiOperation({
    summary: 'Set a new password with the token from the reset mail',
    description:
      'The token works once. Success signs the user out everywhere (every refresh token is revoked); sign in ' +
      'with the new password. The password follows the sign-up rules.',
  })
  @ApiBody({ schema: resetPasswordBodySchema })
  @ApiNoContentResponse({ description: 'Password changed; every session of the user was revoked.' })
  @ApiBadRequestResponse({
    description: 'TOKEN_EXPIRED, TOKEN_USED, TOKEN_INVALID, or a password the sign-up rules refuse.',
    type: ErrorResponseDto,
  })
  async resetPassword(@Body(new ZodValidationPipe(resetPasswordSchema)) body: ResetPasswordInput): Promise<void> {
    await this.accountEmail.resetPassword(body.token, body.password);
  }

  @Post('login')
  @Public()
  @HttpCode(HttpStatus.OK)
  @AuthRateLimit('login', { byEmail: true })
  @ApiOperation({
    summary: 'Sign in with email and password',
    description:
      `${SESSION_COOKIE_NOTE}\n\nAn admin with a second factor gets \`{ mfaRequired: true, mfaToken, expiresIn }\` ` +
      'instead (MfaChallengeDto), with no cookie: complete the sign-in with POST /api/auth/mfa.',
  })
  @ApiBody({ schema: loginBodySchema })
  @ApiExtraModels(AuthResponseDto, MfaChallengeDto)
  @ApiOkResponse({
    description: 'A session (AuthResponseDto), or for an admin with a second factor an MfaChallengeDto.',
    schema: { oneOf: [{ $ref: getSchemaPath(AuthResponseDto) }, { $ref: getSchemaPath(MfaChallengeDto) }] },
  })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password.', type: ErrorResponseDto })
  async login(
    @Body(new ZodValidationPipe(loginSchema)) body: LoginInput,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuthResponseDto | MfaChallengeDto> {
    const result = await this.auth.login(body);
    if ('mfaRequired' in result) {
      return { mfaRequired: true, mfaToken: result.mfaToken, expiresIn: result.expiresInSeconds };
    }
    return this.withCookie(response, result);
  }

  @Post('mfa')
  @Public()
  @HttpCode(HttpStatus.OK)
  @AuthRateLimit('mfa')
  @ApiOperation({
    summary: 'Complete an admin sign-in with a one-time code',
    description:
      `${SESSION_COOKIE_NOTE}\n\nTakes the \`mfaToken\` from POST /api/auth/login and a 6-digit TOTP code (the ` +
      'previous, current or next 30 s step; a code whose step was already used is refused) or an unused ' +
      'recovery code (each works once). Attempts are limited per account (AUTH_MFA_RATE_LIMIT per window).',
  })
  @ApiBody({ schema: mfaLoginBodySchema })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiUnauthorizedResponse({
    description: 'INVALID_MFA_CODE (wrong, expired or reused code) or UNAUTHORIZED (invalid or expired mfaToken).',
    type: ErrorResponseDto,
  })
  async completeMfa(
    @Body(new ZodValidationPipe(mfaLoginSchema)) body: MfaLoginInput,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuthResponseDto> {
    return this.withCookie(response, await this.mfa.completeSignIn(body.mfaToken, body.code));
  }

  @Post('refresh')
  @Public()
  @HttpCode(HttpStatus.OK)
  @AuthRateLimit('refresh')
  @ApiCookieAuth(REFRESH_COOKIE_SCHEME)
  @ApiOperation({
    summary: 'Rotate the refresh cookie and get a new access token',
    description: 'Presenting an already-used refresh token revokes every token of that sign-in and answers 401.',
  })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiUnauthorizedResponse({
    description: 'Missing, expired, revoked or reused refresh token.',
    type: ErrorResponseDto,
  })
  async refresh(
    @RefreshTokenCookie() token: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuthResponseDto> {
    try {
      return this.withCookie(response, await this.auth.refresh(token));
    } catch (error) {
      // A refresh that failed leaves a dead cookie behind; drop it so the client stops presenting it.
      clearRefreshCookie(response, this.env.COOKIE_SECURE);
      throw error;
    }
  }

  @Post('logout')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiCookieAuth(REFRESH_COOKIE_SCHEME)
  @ApiOperation({ summary: 'Revoke the refresh token and clear its cookie' })
  @ApiNoContentResponse({ description: 'Signed out (also when there was no session).' })
  async logout(
    @RefreshTokenCookie() token: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.auth.logout(token);
    clearRefreshCookie(response, this.env.COOKIE_SECURE);
  }

  private withCookie(response: Response, session: IssuedSession): AuthResponseDto {
    return withSessionCookie(response, session, this.env.COOKIE_SECURE);
  }
}
