import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod/v4';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { BEARER_SCHEME, ErrorResponseDto } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { audioUploadBody } from '../jobs/dto/job.dto';
import type { UploadedAudio } from '../jobs/job-submission.service';
import { AUDIO_FIELD } from '../jobs/upload';
import { UploadCleanupInterceptor } from '../jobs/upload-cleanup.interceptor';
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

@ApiTags('voices')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or invalid access token' })
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
  @ApiResponse({ status: 201, description: 'The stored voice with its characteristics' })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 415, type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'Too short, too long, or no voiced speech' })
  @ApiResponse({ status: 429, type: ErrorResponseDto, description: 'Too many voice uploads; see Retry-After' })
  @ApiResponse({ status: 503, type: ErrorResponseDto, description: 'Voice analysis at capacity; see Retry-After' })
  upload(
    @CurrentUser() user: AuthPrincipal,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(uploadFieldsSchema, 'form fields')) fields: UploadFields,
  ) {
    return this.voices.upload(user.userId, upload, fields);
  }

  @Get('library')
  @ApiOperation({ summary: 'Your voices' })
  library(@CurrentUser() user: AuthPrincipal) {
    return this.voices.library(user.userId);
  }

  @Get('public')
  @ApiOperation({ summary: 'Voices their owners made public' })
  publicVoices(@CurrentUser() user: AuthPrincipal) {
    return this.voices.publicVoices(user.userId);
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
