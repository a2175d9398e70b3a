import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Env } from '@voice/config';
import type { Response } from 'express';

import { ErrorResponseDto, REFRESH_COOKIE_SCHEME } from '../common/openapi';
import { ENV } from '../common/tokens';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuthService, type IssuedSession } from './auth.service';
import { MfaChallengeDto, type MfaLoginInput, mfaLoginBodySchema, mfaLoginSchema } from './dto/mfa.dto';
import { MfaService } from './mfa/mfa.service';
import { Public } from './decorators/public.decorator';
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

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly mfa: MfaService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  @Post('register')
  @Public()
  @AuthRateLimit('register')
  @ApiOperation({
    summary: 'Create an account (with the free credit grant) and sign in',
    description: SESSION_COOKIE_NOTE,
  })
  @ApiBody({ schema: registerBodySchema })
  @ApiCreatedResponse({ type: AuthResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid email, weak password or missing name.', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'EMAIL_TAKEN', type: ErrorResponseDto })
  async register(
    @Body(new ZodValidationPipe(registerSchema)) body: RegisterInput,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuthResponseDto> {
    return this.withCookie(response, await this.auth.register(body));
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
