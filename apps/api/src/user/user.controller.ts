import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';

import { RequireScope } from '../auth/api-keys/require-scope.decorator';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { ErrorResponseDto } from '../common/openapi';
import { CreditsResponseDto, UserProfileDto } from './dto/user.dto';
import { UserService } from './user.service';

@ApiTags('user')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
@Controller('user')
export class UserController {
  constructor(private readonly users: UserService) {}

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
}
