import { Controller, Get, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireScope } from '../../auth/api-keys/require-scope.decorator';
import type { AuthPrincipal } from '../../auth/auth-principal';
import { CurrentUser } from '../../auth/decorators/current-user.decorator';
import { BEARER_SCHEME, ErrorResponseDto } from '../../common/openapi';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { jobIdSchema } from '../request-schemas';
import { JobEventsService } from './job-events.service';

@ApiTags('jobs')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or invalid access token' })
@Controller('jobs')
export class JobEventsController {
  constructor(private readonly jobEvents: JobEventsService) {}

  @Get(':id/events')
  @RequireScope('jobs:read')
  @ApiOperation({
    summary: 'Live events of a job, as a server-sent event stream',
    description:
      'A `text/event-stream` of frames `id: <n>` / `event: <name>` / `data: <JSON>`. Events: `status` (a ' +
      '`JobStatusDto`, on every status change), `progress` (a `JobProgressDto`, whenever any step moves), then one ' +
      'terminal event, `completed`, `failed` or `cancelled` (the final `JobStatusDto`, metadata only: paid text ' +
      'appears only once the download was charged), after which the stream closes. The current state is sent ' +
      'first. Ids increase per job: reconnect with `Last-Event-ID` to receive only what changed since. A server ' +
      'that is shutting down sends `reconnect` (data `{"reason":"shutdown"}`, no id) and closes the stream: ' +
      'reconnect, and another instance carries on. A ' +
      '`: keep-alive` comment is sent every 15 s (JOB_EVENTS_KEEPALIVE_MS). One watcher per job serves every ' +
      'listener, reading the job about once a second.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The last event id received, to resume after a disconnect',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'The event stream',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example: 'id: 1718000000000\nevent: progress\ndata: {"jobId":"…","status":"running","progress":42,…}\n\n',
      },
    },
  })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such job, or another user’s' })
  @ApiResponse({ status: 429, type: ErrorResponseDto, description: 'Too many streams open on this job' })
  @ApiResponse({
    status: 503,
    type: ErrorResponseDto,
    description: 'Too many streams open on this server, or it is shutting down (SHUTTING_DOWN): retry',
  })
  events(
    @CurrentUser() user: AuthPrincipal,
    @Param('id', new ZodValidationPipe(jobIdSchema, 'job id')) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.jobEvents.stream(user.userId, id, lastEventId, req, res);
  }
}
