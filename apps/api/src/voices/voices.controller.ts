import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod/v4';
import { RequireScope } from '../auth/api-keys/require-scope.decorator';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { BEARER_SCHEME, ErrorResponseDto, openApiSchema } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { audioUploadBody } from '../jobs/dto/job.dto';
import type { UploadedAudio } from '../jobs/job-submission.service';
import { AUDIO_FIELD } from '../jobs/upload';
import { UploadCleanupInterceptor } from '../jobs/upload-cleanup.interceptor';
import { VoiceDto, VoiceListDto } from './dto/voice.dto';
import { ApiRateLimited } from '../auth/rate-limit/rate-limit-policy';
import { VoiceUploadRateLimitGuard } from './voice-upload-rate-limit.guard';
import { VoicesService } from './voices.service';

const uploadFieldsSchema = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(1000).optional(),
  // Multipart fields are text; accept the usual spellings of a boolean.
  is_public: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
});
type UploadFields = z.output<typeof uploadFieldsSchema>;

const voiceIdSchema = z.uuid({ error: 'must be a voice id (UUID)' });

// JSON, unlike the upload's multipart fields: a boolean is a boolean here.
const visibilitySchema = z.object({ is_public: z.boolean() }).strict();
type VisibilityInput = z.output<typeof visibilitySchema>;

@ApiTags('voices')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or invalid access token' })
@RequireScope('voices')
@Controller('voices')
export class VoicesController {
  constructor(private readonly voices: VoicesService) {}

  @Post('upload')
  @HttpCode(HttpStatus.CREATED)
  // The guard runs before multer: a rate-limited upload is never written to disk.
  @UseGuards(VoiceUploadRateLimitGuard)
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Add a voice to your library from a speech sample (1 s to 5 min by default)',
    description:
      'The sample is analysed on upload: pitch statistics, speaking rate, loudness, a 24-band spectral profile and a ' +
      '40-value timbre embedding, returned as `voiceCharacteristics`. Voice cloning converts speech toward them. ' +
      'Limits: at most VOICE_SAMPLE_MAX_SECONDS (300 s by default) of audio, checked from the header before ' +
      'decoding (422); VOICE_UPLOAD_RATE_LIMIT uploads per user per VOICE_UPLOAD_RATE_WINDOW_SECONDS (10 per ' +
      'minute by default; 429 with Retry-After); when every analysis thread is busy and the queue is full, 503 ' +
      'with Retry-After.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: audioUploadBody(
      {
        name: { type: 'string', maxLength: 100 },
        description: { type: 'string', maxLength: 1000 },
        is_public: { type: 'string', enum: ['true', 'false'], default: 'false' },
      },
      ['name'],
    ),
  })
  @ApiResponse({ status: 201, type: VoiceDto, description: 'The stored voice with its characteristics' })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 415, type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'Too short, too long, or no voiced speech' })
  @ApiRateLimited('Too many voice uploads.')
  @ApiResponse({ status: 503, type: ErrorResponseDto, description: 'Voice analysis at capacity; see Retry-After' })
  upload(
    @CurrentUser() user: AuthPrincipal,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(uploadFieldsSchema, 'form fields')) fields: UploadFields,
  ) {
    return this.voices.upload(user.userId, upload, fields);
  }

  @Get('library')
  @ApiOperation({ summary: 'Your voices, newest first' })
  @ApiOkResponse({ type: VoiceListDto })
  library(@CurrentUser() user: AuthPrincipal) {
    return this.voices.library(user.userId);
  }

  @Get('public')
  @ApiOperation({
    summary: 'Voices their owners made public, newest first (yours included, with `owned: true`)',
  })
  @ApiOkResponse({ type: VoiceListDto })
  publicVoices(@CurrentUser() user: AuthPrincipal) {
    return this.voices.publicVoices(user.userId);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Make one of your voices public or private (owner only)',
    description:
      'A public voice is listed under GET /api/voices/public and may be used by anyone as a voice_clone target. ' +
      "Another user's voice answers 404, public or not, as the other voice routes do.",
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ schema: openApiSchema(visibilitySchema) })
  @ApiOkResponse({ type: VoiceDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  setVisibility(
    @CurrentUser() user: AuthPrincipal,
    @Param('id', new ZodValidationPipe(voiceIdSchema, 'voice id')) id: string,
    @Body(new ZodValidationPipe(visibilitySchema)) body: VisibilityInput,
  ) {
    return this.voices.setVisibility(user.userId, id, body.is_public);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete one of your voices (owner only)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  remove(
    @CurrentUser() user: AuthPrincipal,
    @Param('id', new ZodValidationPipe(voiceIdSchema, 'voice id')) id: string,
  ) {
    return this.voices.remove(user.userId, id);
  }
}
