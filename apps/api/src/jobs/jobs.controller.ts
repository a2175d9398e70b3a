import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { JOB_STATUSES, PIPELINE_OPS } from '@voice/shared';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScope } from '../auth/api-keys/require-scope.decorator';
import { apiKeyIdOf, type AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { BEARER_SCHEME, ErrorResponseDto } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import {
  AcceptedJobDto,
  InputAudioDto,
  JobProgressDto,
  JobStatusDto,
  JobHistoryDto,
  audioUploadBody,
} from './dto/job.dto';
import { DownloadService } from './download.service';
import { JobSubmissionService, type UploadedAudio } from './job-submission.service';
import { JobsService } from './jobs.service';
import {
  createJobFieldsSchema,
  historyQuerySchema,
  jobIdSchema,
  statusQuerySchema,
  type CreateJobFields,
  type HistoryQuery,
  type StatusQuery,
} from './request-schemas';
import { ApiSubmitOptions, JobSubmitOptions, type SubmitOptions } from './submit-options.decorator';
import { SubmitsJob } from './job-submit-rate-limit.guard';
import { UploadCleanupInterceptor } from './upload-cleanup.interceptor';
import { AUDIO_FIELD } from './upload';

@ApiTags('jobs')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or invalid access token' })
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly submissions: JobSubmissionService,
    private readonly downloads: DownloadService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Start a multi-step job on one upload',
    description:
      'Steps run in order, each feeding the next, e.g. `[{"op":"denoise","noise_level":"moderate"},{"op":"normalize","target_lufs":-16}]`. ' +
      'Steps: `denoise`, `normalize`, `edit` (`operations` as in /api/audio/edit), `stt`, `voice_clone` (`target_voice_id`), ' +
      '`dub` (`target_language`, `source_language`) and `accent_change` (`target_accent`); clean-then-dub is ' +
      '`[{"op":"denoise"},{"op":"dub","target_language":"es"}]`. ' +
      'One job, one bill, one cancel. A final loudness normalisation (−16 LUFS, −1 dBTP) is added unless the chain ends with ' +
      '`normalize`; a chain of only `stt` delivers the transcript.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: audioUploadBody(
      {
        steps: {
          type: 'string',
          description: 'JSON array of steps',
          example: '[{"op":"denoise"},{"op":"normalize","target_lufs":-16}]',
        },
      },
      ['steps'],
    ),
  })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description:
      'Bad steps, unknown model or language, unsupported accent, a recording too long to re-voice, empty file',
  })
  @ApiResponse({
    status: 404,
    type: ErrorResponseDto,
    description: 'A voice_clone target that is not yours and not public',
  })
  @ApiResponse({ status: 402, type: ErrorResponseDto, description: 'Not enough credits for the input length' })
  @ApiResponse({ status: 413, type: ErrorResponseDto, description: 'Larger than MAX_UPLOAD_BYTES' })
  @ApiResponse({ status: 415, type: ErrorResponseDto, description: 'Not audio, or an unsupported format' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'Truncated or undecodable audio' })
  create(
    @CurrentUser() user: AuthPrincipal,
    @JobSubmitOptions() options: SubmitOptions,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(createJobFieldsSchema, 'form fields')) fields: CreateJobFields,
  ) {
    return this.submissions.submit({
      userId: user.userId,
      apiKeyId: apiKeyIdOf(user),
      tier: user.tier,
      ...options,
      source: { kind: 'upload', upload },
      steps: fields.steps,
    });
  }

  @Get('history')
  @RequireScope('jobs:read')
  @ApiOperation({
    summary: 'Your jobs, newest first, optionally filtered by status and step type',
    description: '`total` counts the jobs that pass the filters, so `offset`/`limit` page through the filtered list.',
  })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiQuery({ name: 'status', required: false, enum: JOB_STATUSES, description: 'Only jobs in this status' })
  @ApiQuery({
    name: 'type',
    required: false,
    enum: PIPELINE_OPS,
    description:
      'Only jobs that include this step: `denoise` matches a `denoise` job and a `denoise+dub` chain (a job type is its steps joined by `+`)',
  })
  @ApiResponse({ status: 200, type: JobHistoryDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'A bad limit, offset, status or type' })
  history(
    @CurrentUser() user: AuthPrincipal,
    @Query(new ZodValidationPipe(historyQuerySchema, 'query')) query: HistoryQuery,
  ) {
    return this.jobs.history(user.userId, query);
  }

  @Get(':id/status')
  @RequireScope('jobs:read')
  @ApiOperation({
    summary: 'Status and overall progress (0–100) of a job',
    description:
      'With `wait=N` (seconds, up to 60) an unfinished job is held until its status changes or N seconds pass, ' +
      'so a client learns of completion at once without polling.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiQuery({ name: 'wait', required: false, schema: { type: 'number', minimum: 0, maximum: 60, default: 0 } })
  @ApiResponse({ status: 200, type: JobStatusDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  status(
    @CurrentUser() user: AuthPrincipal,
    @Param('id', new ZodValidationPipe(jobIdSchema, 'job id')) id: string,
    @Query(new ZodValidationPipe(statusQuerySchema, 'query')) query: StatusQuery,
  ) {
    return this.jobs.getStatus(user.userId, id, query.wait);
  }

  @Get(':id/progress')
  @RequireScope('jobs:read')
  @ApiOperation({ summary: 'Per-step progress, live from the running workflow and its heartbeats' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, type: JobProgressDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  progress(@CurrentUser() user: AuthPrincipal, @Param('id', new ZodValidationPipe(jobIdSchema, 'job id')) id: string) {
    return this.jobs.getProgress(user.userId, id);
  }

  @Get(':id/input')
  @RequireScope('jobs:read')
  @ApiOperation({
    summary: 'A time-limited link to the audio you uploaded for this job, for playback; free of charge',
    description: 'Only the output is paid for (on first download); your own upload is yours to play at any time.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, type: InputAudioDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such job, or one made from text (no input)' })
  @ApiResponse({
    status: 410,
    type: ErrorResponseDto,
    description: 'INPUT_EXPIRED: the job’s files were deleted after the retention period (RETENTION_DAYS)',
  })
  input(@CurrentUser() user: AuthPrincipal, @Param('id', new ZodValidationPipe(jobIdSchema, 'job id')) id: string) {
    return this.downloads.inputLink(user.userId, id);
  }

  @Post(':id/cancel')
  @RequireScope('jobs:write')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Cancel a pending or running job; its credit hold is released' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 202, description: 'Cancellation requested' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'The job already finished' })
  cancel(@CurrentUser() user: AuthPrincipal, @Param('id', new ZodValidationPipe(jobIdSchema, 'job id')) id: string) {
    return this.jobs.cancel(user.userId, id);
  }
}
