import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';

import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { Roles } from '../auth/roles/roles.decorator';
import { ErrorResponseDto } from '../common/openapi';
import { AdminService } from './admin.service';
import { AdminProfileDto } from './dto/admin.dto';

/** The admin API lives under /api/admin; every controller there carries `@Roles('admin')`. */
@ApiTags('admin')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
@Roles('admin')
@Controller('admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('me')
  @ApiOperation({ summary: 'The signed-in admin and the state of their second factor' })
  @ApiOkResponse({ type: AdminProfileDto })
  me(@CurrentUser() caller: AuthPrincipal): Promise<AdminProfileDto> {
    return this.admin.profile(caller.userId);
  }
}
