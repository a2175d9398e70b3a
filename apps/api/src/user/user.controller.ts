import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Env } from '@voice/config';
import type { Response } from 'express';

import { RequireScope } from '../auth/api-keys/require-scope.decorator';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { AuthRateLimit } from '../auth/rate-limit/auth-rate-limit.guard';
import { clearRefreshCookie } from '../auth/refresh-cookie';
import { ErrorResponseDto } from '../common/openapi';
import { ENV } from '../common/tokens';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import {
  AccountExportDto,
  type DeleteAccountInput,
  deleteAccountBodySchema,
  deleteAccountSchema,
} from './dto/privacy.dto';
import { CreditsResponseDto, UserProfileDto } from './dto/user.dto';
import { PrivacyService } from './privacy.service';
import { UserService } from './user.service';

@ApiTags('user')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
@Controller('user')
export class UserController {
  constructor(
    private readonly users: UserService,
    private readonly privacy: PrivacyService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserProfileDto })
  me(@CurrentUser() caller: AuthPrincipal): Promise<UserProfileDto> {
    return this.users.profile(caller.userId);
  }

  @Get('credits')
  @RequireScope('credits:read')
  @ApiOperation({
    summary: 'Credit balance',
    description: '1 credit = 1 second of audio; users are charged per downloaded minute, prorated by the second.',
  })
  @ApiOkResponse({ type: CreditsResponseDto })
  credits(@CurrentUser() caller: AuthPrincipal): Promise<CreditsResponseDto> {
    return this.users.credits(caller.userId);
  }

  // No @RequireScope: both routes are for a signed-in session only; every API key gets 403 API_KEY_NOT_ALLOWED.
  @Get('export')
  @ApiOperation({
    summary: 'Download everything stored about the signed-in user (JSON)',
    description:
      'Profile, credits (balance and every ledger entry), jobs (as GET /api/jobs/{id} shows them: paid content only ' +
      'once charged), voices, API keys (never their hashes), usage and payments, with links valid 24 h to the ' +
      "user's own files: inputs, charged outputs and voice samples. Sent as an attachment.",
  })
  @ApiOkResponse({ type: AccountExportDto })
  async exportData(
    @CurrentUser() caller: AuthPrincipal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AccountExportDto> {
    const data = await this.privacy.exportData(caller.userId);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="voice-platform-export-${data.exportedAt.slice(0, 10)}.json"`,
    );
    return data;
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @AuthRateLimit('delete-account')
  @ApiOperation({
    summary: 'Erase the signed-in account (re-authenticate with the password)',
    description:
      'Deletes voices and files, revokes every session and API key, and anonymises the account; the credit ' +
      'ledger stays, anonymised, for accounting. The account can never sign in again. Refused (409) while a job ' +
      'is pending or running, and for admin accounts.',
  })
  @ApiBody({ schema: deleteAccountBodySchema })
  @ApiNoContentResponse({ description: 'Erased; the refresh cookie is cleared.' })
  @ApiConflictResponse({ description: 'JOBS_ACTIVE or ADMIN_ACCOUNT.', type: ErrorResponseDto })
  async deleteAccount(
    @CurrentUser() caller: AuthPrincipal,
    @Body(new ZodValidationPipe(deleteAccountSchema)) body: DeleteAccountInput,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.privacy.deleteAccount(caller.userId, body.password);
    clearRefreshCookie(response, this.env.COOKIE_SECURE);
  }
}
