import {
  applyDecorators,
  Body,
  Controller,
  Get,
  Param,
  Post,
  Res,
  UploadedFile,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';

import { RequireScope } from '../auth/api-keys/require-scope.decorator';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { BEARER_SCHEME, openApiSchema } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { UploadedAudio } from '../jobs/job-submission.service';
import { SubmitsJob } from '../jobs/job-submit-rate-limit.guard';
import { UploadCleanupInterceptor } from '../jobs/upload-cleanup.interceptor';
import {
  OpenAiErrorDto,
  OpenAiModelDto,
  OpenAiModelListDto,
  TranscriptionJsonDto,
  VerboseTranscriptionDto,
} from './dto/openai.dto';
import { OpenAiAudioService } from './openai-audio.service';
import { OpenAiExceptionFilter } from './openai-exception.filter';
import {
  speechBodySchema,
  transcriptionFieldsSchema,
  translationFieldsSchema,
  type SpeechBody,
  type TranscriptionFields,
  type TranslationFields,
} from './openai-schemas';

/** OpenAI's multipart field for the audio. */
const FILE_FIELD = 'file';

const transcriptionBody = {
  type: 'object' as const,
  required: ['file', 'model'],
  properties: {
    file: {
      type: 'string' as const,
      format: 'binary',
      description: 'WAV, MP3, FLAC, M4A or OGG (detected by content)',
    },
    model: {
      type: 'string' as const,
      example: 'whisper-1',
      description: 'whisper-1 (the best installed) or an STT id',
    },
    language: { type: 'string' as const, example: 'en', description: 'ISO-639-1; default en' },
    prompt: { type: 'string' as const, description: 'Accepted; the installed recognisers take no prompt' },
    temperature: { type: 'number' as const, description: 'Accepted (0–1); decoding is beam search' },
    response_format: { type: 'string' as const, enum: ['json', 'text', 'srt', 'vtt', 'verbose_json'] },
    'timestamp_granularities[]': {
      type: 'array' as const,
      items: { type: 'string' as const, enum: ['word', 'segment'] },
      description: 'With verbose_json: word adds `words`',
    },
  },
};

const {
  language: _language,
  'timestamp_granularities[]': _granularities,
  ...translationFields
} = transcriptionBody.properties;
const translationBody = { ...transcriptionBody, properties: translationFields };

/** What transcriptions and translations answer: OpenAI's JSON or text shapes, or an OpenAI error. */
function ApiTextResponses(badRequest: string): MethodDecorator {
  return applyDecorators(
    ApiProduces('application/json', 'text/plain'),
    ApiOkResponse({
      schema: {
        oneOf: [
          { $ref: getSchemaPath(TranscriptionJsonDto) },
          { $ref: getSchemaPath(VerboseTranscriptionDto) },
          { type: 'string' },
        ],
      },
    }),
    ApiResponse({ status: 400, type: OpenAiErrorDto, description: badRequest }),
    ApiResponse({ status: 402, type: OpenAiErrorDto }),
    ApiResponse({ status: 415, type: OpenAiErrorDto }),
    ApiResponse({ status: 500, type: OpenAiErrorDto, description: 'The job failed (the message names it)' }),
  );
}

/**
 * OpenAI's audio API at /v1 (outside the /api prefix, where its SDKs expect it, with `baseURL` = `<server>/v1`).
 * API keys authenticate as `Authorization: Bearer vp_live_…`; errors are in OpenAI's shape.
 */
@ApiTags('openai')
@ApiBearerAuth(BEARER_SCHEME)
@ApiExtraModels(TranscriptionJsonDto, VerboseTranscriptionDto)
@ApiResponse({ status: 401, type: OpenAiErrorDto, description: 'Missing or invalid API key' })
@UseFilters(OpenAiExceptionFilter)
@Controller('v1')
export class OpenAiController {
  constructor(private readonly audio: OpenAiAudioService) {}

  @Get('models')
  @RequireScope('jobs:read')
  @ApiOperation({ summary: 'The model ids /v1 accepts: whisper-1, tts-1, tts-1-hd and every installed STT/TTS model' })
  @ApiOkResponse({ type: OpenAiModelListDto })
  listModels() {
    return this.audio.listModels();
  }

  @Get('models/:model')
  @RequireScope('jobs:read')
  @ApiOperation({ summary: 'One model /v1 accepts' })
  @ApiParam({ name: 'model', example: 'whisper-1' })
  @ApiOkResponse({ type: OpenAiModelDto })
  @ApiResponse({ status: 404, type: OpenAiErrorDto })
  getModel(@Param('model') model: string) {
    return this.audio.getModel(model);
  }

  @Post('audio/transcriptions')
  @SubmitsJob()
  @UseInterceptors(FileInterceptor(FILE_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Speech to text, answered when done (an ordinary STT job, in the history; charged on delivery)',
    description:
      'A client that disconnects does not stop the job; it is then not charged, and its hold is released. ' +
      '`json`/`verbose_json` answer JSON, `text`/`srt`/`vtt` text/plain. The job id is in the `X-Job-Id` header.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: transcriptionBody })
  @ApiTextResponses('Unknown model, missing file, bad field')
  transcribe(
    @CurrentUser() user: AuthPrincipal,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(transcriptionFieldsSchema, 'form fields')) fields: TranscriptionFields,
    @Res() response: Response,
  ) {
    return this.audio.transcribe(user, upload, fields, response);
  }

  @Post('audio/translations')
  @SubmitsJob()
  @UseInterceptors(FileInterceptor(FILE_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: "Speech in any language Whisper knows to English text (Whisper's translate task), answered when done",
    description:
      'The spoken language is detected. whisper-1 is the best installed multilingual Whisper model; English-only ' +
      'models cannot translate (400). Same job, charge and disconnect rules as transcriptions.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: translationBody })
  @ApiTextResponses('Unknown or English-only model, missing file')
  translate(
    @CurrentUser() user: AuthPrincipal,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(translationFieldsSchema, 'form fields')) fields: TranslationFields,
    @Res() response: Response,
  ) {
    return this.audio.translate(user, upload, fields, response);
  }

  @Post('audio/speech')
  @SubmitsJob()
  @ApiOperation({
    summary: 'Text to speech as audio bytes (an ordinary TTS job, in the history; charged on delivery)',
    description:
      'tts-1 speaks with flite, tts-1-hd with the neural Piper voice, espeak-ng (the fastest) by its id; the OpenAI voice ' +
      'names map to installed voices (README table), an engine voice id or a library voice id works too. `speed` ' +
      '0.25–4: the voice speaks 0.5–2, the rest is a tempo change. pcm is 24 kHz 16-bit little-endian mono.',
  })
  @ApiBody({ schema: openApiSchema(speechBodySchema) })
  @ApiProduces('audio/mpeg', 'audio/ogg', 'audio/aac', 'audio/flac', 'audio/wav', 'audio/pcm')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 400, type: OpenAiErrorDto, description: 'Unknown model, empty input, bad speed or format' })
  @ApiResponse({ status: 402, type: OpenAiErrorDto })
  @ApiResponse({ status: 404, type: OpenAiErrorDto, description: 'A library voice that does not exist' })
  @ApiResponse({ status: 500, type: OpenAiErrorDto, description: 'The job failed (the message names it)' })
  speech(
    @CurrentUser() user: AuthPrincipal,
    @Body(new ZodValidationPipe(speechBodySchema)) body: SpeechBody,
    @Res() response: Response,
  ) {
    return this.audio.speech(user, body, response);
  }
}
