import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { Roles } from '../auth/roles/roles.decorator';
import { ErrorResponseDto } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { type Idempotency, IdempotencyKey } from '../jobs/idempotency-key.decorator';
import { AdminAuditService } from './admin-audit.service';
import { AdminJobsService } from './admin-jobs.service';
import {
  type AdminJobsQuery,
  adminJobsQuerySchema,
  type AuditQuery,
  auditQuerySchema,
  type CreditBody,
  creditBodyOpenApi,
  creditBodySchema,
  type SuspendBody,
  suspendBodyOpenApi,
  suspendBodySchema,
  type UnsuspendBody,
  unsuspendBodyOpenApi,
  unsuspendBodySchema,
  type UpdateUserBody,
  updateUserBodyOpenApi,
  updateUserBodySchema,
  userIdSchema,
  type UserSearchQuery,
  userSearchQuerySchema,
} from './admin-request-schemas';
import { AdminSystemService } from './admin-system.service';
import { AdminUsersService } from './admin-users.service';
import {
  AccountActionResultDto,
  AdminJobPageDto,
  AdminUserDetailDto,
  AdminUserPageDto,
  ApiQueryFrom,
  AuditPageDto,
  CreditAdjustmentResultDto,
  SystemDto,
} from './dto/admin-panel.dto';

const userId = new ZodValidationPipe(userIdSchema, 'user id');
const USER_PARAM = { name: 'id', format: 'uuid', description: 'The user' } as const;

/** Users: search, the user page, suspension, tier and credits. Every change is in the audit log. */
@ApiTags('admin')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
@Roles('admin')
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get()
  @ApiOperation({ summary: 'Search users by part of an email or name, or a whole id; newest first' })
  @ApiQueryFrom(userSearchQuerySchema)
  @ApiOkResponse({ type: AdminUserPageDto })
  search(
    @Query(new ZodValidationPipe(userSearchQuerySchema, 'query')) query: UserSearchQuery,
  ): Promise<AdminUserPageDto> {
    return this.users.search(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A user with their balance, latest ledger entries, jobs and the admin actions on them' })
  @ApiParam(USER_PARAM)
  @ApiOkResponse({ type: AdminUserDetailDto })
  @ApiNotFoundResponse({ description: 'USER_NOT_FOUND', type: ErrorResponseDto })
  detail(@Param('id', userId) id: string): Promise<AdminUserDetailDto> {
    return this.users.detail(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change the subscription tier',
    description: 'Premium jobs get a higher task priority on the GPU queue from their next submit. Audited.',
  })
  @ApiParam(USER_PARAM)
  @ApiBody({ schema: updateUserBodyOpenApi })
  @ApiOkResponse({ type: AccountActionResultDto })
  @ApiNotFoundResponse({ description: 'USER_NOT_FOUND', type: ErrorResponseDto })
  update(
    @CurrentUser() admin: AuthPrincipal,
    @Param('id', userId) id: string,
    @Body(new ZodValidationPipe(updateUserBodySchema)) body: UpdateUserBody,
  ): Promise<AccountActionResultDto> {
    return this.users.update(admin.userId, id, body);
  }

  @Post(':id/suspend')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Suspend the account',
    description:
      'At once: every refresh token is revoked, access tokens already issued are refused from their next request ' +
      '(403 ACCOUNT_SUSPENDED), and sign-in answers 403 ACCOUNT_SUSPENDED. Running jobs are left to finish. Audited ' +
      'with the reason; suspending a suspended account changes nothing.',
  })
  @ApiParam(USER_PARAM)
  @ApiBody({ schema: suspendBodyOpenApi })
  @ApiOkResponse({ type: AccountActionResultDto })
  @ApiNotFoundResponse({ description: 'USER_NOT_FOUND', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'CANNOT_SUSPEND_SELF', type: ErrorResponseDto })
  suspend(
    @CurrentUser() admin: AuthPrincipal,
    @Param('id', userId) id: string,
    @Body(new ZodValidationPipe(suspendBodySchema)) body: SuspendBody,
  ): Promise<AccountActionResultDto> {
    return this.users.suspend(admin.userId, id, body);
  }

  @Post(':id/unsuspend')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Lift a suspension (old sessions stay revoked; the user signs in again). Audited.' })
  @ApiParam(USER_PARAM)
  @ApiBody({ schema: unsuspendBodyOpenApi, required: false })
  @ApiOkResponse({ type: AccountActionResultDto })
  @ApiNotFoundResponse({ description: 'USER_NOT_FOUND', type: ErrorResponseDto })
  unsuspend(
    @CurrentUser() admin: AuthPrincipal,
    @Param('id', userId) id: string,
    @Body(new ZodValidationPipe(unsuspendBodySchema)) body: UnsuspendBody,
  ): Promise<AccountActionResultDto> {
    return this.users.unsuspend(admin.userId, id, body);
  }

  @Post(':id/credits')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Grant or correct credits through the ledger',
    description:
      'One ledger entry whose metadata names the admin and the reason, and its audit row. The Idempotency-Key header ' +
      'is required: the same key again answers the first result (`replayed: true`) and changes nothing. A ' +
      'correction may be negative but never takes the balance below zero.',
  })
  @ApiParam(USER_PARAM)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'A new random value per grant or correction (at most 255 characters).',
  })
  @ApiBody({ schema: creditBodyOpenApi })
  @ApiOkResponse({ type: CreditAdjustmentResultDto })
  @ApiBadRequestResponse({ description: 'IDEMPOTENCY_KEY_REQUIRED or an invalid body.', type: ErrorResponseDto })
  @ApiNotFoundResponse({ description: 'USER_NOT_FOUND', type: ErrorResponseDto })
  @ApiConflictResponse({
    description: 'BALANCE_WOULD_BE_NEGATIVE, or IDEMPOTENCY_KEY_CONFLICT (the key was used for another request).',
    type: ErrorResponseDto,
  })
  credits(
    @CurrentUser() admin: AuthPrincipal,
    @Param('id', userId) id: string,
    @Body(new ZodValidationPipe(creditBodySchema)) body: CreditBody,
    @IdempotencyKey() idempotency: Idempotency | undefined,
  ): Promise<CreditAdjustmentResultDto> {
    return this.users.adjustCredits(admin.userId, id, body, idempotency);
  }
}

@ApiTags('admin')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
@Roles('admin')
@Controller('admin/jobs')
export class AdminJobsController {
  constructor(private readonly jobs: AdminJobsService) {}

  @Get()
  @ApiOperation({
    summary: 'Every user’s jobs, newest first, with filters and a link to each run in the Temporal Web UI',
  })
  @ApiQueryFrom(adminJobsQuerySchema)
  @ApiOkResponse({ type: AdminJobPageDto })
  list(@Query(new ZodValidationPipe(adminJobsQuerySchema, 'query')) query: AdminJobsQuery): Promise<AdminJobPageDto> {
    return this.jobs.list(query);
  }
}

@ApiTags('admin')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
@Roles('admin')
@Controller('admin/system')
export class AdminSystemController {
  constructor(private readonly system: AdminSystemService) {}

  @Get()
  @ApiOperation({
    summary: 'Dependency health, task-queue backlogs and pollers, the workers and the installed models',
    description:
      'Backlogs come from Temporal’s DescribeTaskQueue (`reportStats`), per queue and per task priority key.',
  })
  @ApiOkResponse({ type: SystemDto })
  get(): Promise<SystemDto> {
    return this.system.system();
  }
}

@ApiTags('admin')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
@Roles('admin')
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AdminAuditService) {}

  @Get()
  @ApiOperation({ summary: 'The append-only log of admin actions, newest first' })
  @ApiQueryFrom(auditQuerySchema)
  @ApiOkResponse({ type: AuditPageDto })
  list(@Query(new ZodValidationPipe(auditQuerySchema, 'query')) query: AuditQuery): Promise<AuditPageDto> {
    return this.audit.list(query);
  }
}
