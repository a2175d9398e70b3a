import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';

import { Roles } from '../auth/roles/roles.decorator';
import { ErrorResponseDto } from '../common/openapi';
import { OperationsDto } from './dto/operations.dto';
import { OperationsService } from './operations.service';
import { operationsView } from './operations-view';

@ApiTags('admin')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.', type: ErrorResponseDto })
@Roles('admin')
@Controller('admin/operations')
export class AdminOperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Task-queue backlogs, their age and pollers, and the credits held, with links to the Temporal Web UI',
    description:
      'The same reading /metrics exports as voice_task_queue_* and voice_credits_held* (cached for 5 s): ' +
      'DescribeTaskQueue per queue, and one aggregate over the open holds.',
  })
  @ApiOkResponse({ type: OperationsDto })
  async get(): Promise<OperationsDto> {
    const { operations } = this;
    return operationsView(await operations.snapshot(), operations.namespace, operations.temporalUiUrl);
  }
}
