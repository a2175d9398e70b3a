import { Body, Controller, HttpCode, HttpStatus, Param, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { NOISE_LEVELS } from '@voice/shared';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { BEARER_SCHEME, ErrorResponseDto, openApiSchema } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AcceptedJobDto, DownloadDto, audioUploadBody } from './dto/job.dto';
import {
  generateMusicSchema,
  generateSfxSchema,
  moodMusicSchema,
  moodStep,
  musicStep,
  sfxStep,
  type GenerateMusicBody,
  type GenerateSfxBody,
  type MoodMusicBody,
} from './generation';
import {
  denoiseFieldsSchema,
  editFieldsSchema,
  jobIdSchema,
  voiceCloneFieldsSchema,
  accentFieldsSchema,
  dubFieldsSchema,
  type AccentFields,
  type DubFields,
  type DenoiseFields,
  type EditFields,
  type VoiceCloneFields,
} from './job-schemas';
import { sttFieldsSchema, ttsBodySchema, type SttFields, type TtsBody } from './speech-schemas';
import { JobsService, type UploadedAudio } from './jobs.service';
import { IdempotencyKey } from './idempotency-key.decorator';
import { UploadCleanupInterceptor } from './upload-cleanup.interceptor';
import { AUDIO_FIELD } from './upload';

@ApiTags('audio')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or invalid access token' })
@Controller('audio')
export class AudioController {
  constructor(private readonly jobs: JobsService) {}

  @Post('denoise')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Remove background noise, then loudness-normalise (−16 LUFS, −1 dBTP)',
    description:
      'The file type is detected from its content: WAV, MP3, FLAC, M4A or OGG, up to MAX_UPLOAD_BYTES (1 GiB by default).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: audioUploadBody({
      model: { type: 'string', description: 'Denoise model id (GET /api/models); default: the best installed' },
      noise_level: { type: 'string', enum: [...NOISE_LEVELS], default: 'moderate' },
    }),
  })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Unknown model, bad noise_level, empty file' })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  @ApiResponse({ status: 413, type: ErrorResponseDto })
  @ApiResponse({ status: 415, type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  denoise(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(denoiseFieldsSchema, 'form fields')) fields: DenoiseFields,
  ) {
    return this.jobs.submitAudioJob({
      userId: user.userId,
      idempotencyKey,
      upload,
      steps: [{ op: 'denoise', noise_level: fields.noise_level, ...(fields.model ? { model: fields.model } : {}) }],
      jobType: 'denoise',
    });
  }

  @Post('tts')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Text to speech (1–10,000 characters), split at sentences, loudness-normalised',
    description:
      'The default is the best installed voice for the language (Piper, neural, for English; espeak-ng for others). ' +
      '`parameters.speed` is a rate multiplier, `parameters.pitch` is in semitones. The output is transcribed back ' +
      'and compared with the text before it is delivered.',
  })
  @ApiBody({ schema: openApiSchema(ttsBodySchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Empty or too long text, unknown model, unsupported language',
  })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  tts(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body(new ZodValidationPipe(ttsBodySchema)) body: TtsBody,
  ) {
    return this.jobs.submitTextJob({
      userId: user.userId,
      idempotencyKey,
      then: body.then,
      text: body.text,
      step: {
        op: 'tts',
        ...(body.model ? { model: body.model } : {}),
        ...(body.voice_id ? { voice_id: body.voice_id } : {}),
        ...(body.language ? { language: body.language } : {}),
        ...(body.parameters?.speed !== undefined ? { speed: body.parameters.speed } : {}),
        ...(body.parameters?.pitch !== undefined ? { pitch: body.parameters.pitch } : {}),
      },
    });
  }

  @Post('stt')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Speech to text with word-level timestamps, plus SRT and VTT',
    description:
      'Silence is gated out with a voice-activity detector before recognition (no hallucinated words), and long files ' +
      'are processed in chunks. The download returns the transcript JSON (`words` always present) and subtitle links.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: audioUploadBody({
      model: {
        type: 'string',
        description: 'STT model id (GET /api/models); default: the best installed for the language',
      },
      language: { type: 'string', default: 'en' },
    }),
  })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Unknown model or unsupported language' })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  @ApiResponse({ status: 415, type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  stt(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(sttFieldsSchema, 'form fields')) fields: SttFields,
  ) {
    return this.jobs.submitAudioJob({
      userId: user.userId,
      idempotencyKey,
      upload,
      steps: [{ op: 'stt', language: fields.language, ...(fields.model ? { model: fields.model } : {}) }],
      jobType: 'stt',
    });
  }

  @Post('edit')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Edit a recording: cut bloopers, mute or bleep a word, trim silence (applied in order)',
    description:
      '`operations` is a JSON array, e.g. `[{"type":"remove_blooper","start_time":12.3,"end_time":14.1},' +
      '{"type":"mute_word","word":"darn","mode":"bleep"},{"type":"trim_silence"}]`. Each operation\'s times refer to ' +
      'the audio as the previous operations left it. Cuts use 10 ms equal-power crossfades; mute_word finds every ' +
      'occurrence from word timestamps (speech recognition) and keeps the neighbouring words.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: audioUploadBody({ operations: { type: 'string', description: 'JSON array of edit operations' } }, [
      'operations',
    ]),
  })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Bad operations, or a cut outside the recording' })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  @ApiResponse({ status: 415, type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  edit(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(editFieldsSchema, 'form fields')) fields: EditFields,
  ) {
    return this.jobs.submitAudioJob({
      userId: user.userId,
      idempotencyKey,
      upload,
      steps: [{ op: 'edit', operations: fields.operations }],
      jobType: 'edit',
    });
  }

  @Post('voice-clone')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Convert speech toward a voice from your library (or a public one)',
    description:
      'No neural voice-conversion weights ship in any registry, so the installed method is DSP: a pitch shift to the ' +
      "target's median f0 and a mel-band EQ toward its long-term spectrum. The job output names the method " +
      '(`result.voiceConversion`); GET /api/models lists it as classical.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: audioUploadBody(
      {
        target_voice_id: { type: 'string', format: 'uuid' },
        model: { type: 'string', description: 'voice-conversion model id' },
      },
      ['target_voice_id'],
    ),
  })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such voice, or not yours and not public' })
  voiceClone(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(voiceCloneFieldsSchema, 'form fields')) fields: VoiceCloneFields,
  ) {
    return this.jobs.submitAudioJob({
      userId: user.userId,
      idempotencyKey,
      upload,
      steps: [
        {
          op: 'voice_clone',
          target_voice_id: fields.target_voice_id,
          ...(fields.model ? { model: fields.model } : {}),
        },
      ],
      jobType: 'voice_clone',
    });
  }

  @Post('dub')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Dub speech into another language: transcribe → translate → synthesise, fitted to the original timing',
    description:
      'Translation is rule-based (Apertium; no neural MT ships offline): English ↔ Spanish, Catalan, Galician, Esperanto. ' +
      'Each line is time-stretched into its source slot and mixed over an estimate of the original background. The ' +
      'translated transcript is in the job result and the download.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: audioUploadBody(
      { target_language: { type: 'string', example: 'es' }, source_language: { type: 'string', default: 'en' } },
      ['target_language'],
    ),
  })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Language pair not installed, or no voice for the target language',
  })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  dub(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(dubFieldsSchema, 'form fields')) fields: DubFields,
  ) {
    return this.jobs.submitAudioJob({
      userId: user.userId,
      idempotencyKey,
      upload,
      steps: [{ op: 'dub', target_language: fields.target_language, source_language: fields.source_language }],
      jobType: 'dub',
    });
  }

  @Post('accent-change')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: "Re-voice speech in another accent's voice, keeping the word timing",
    description:
      'Accents: american, british, received-pronunciation, scottish, new-york, caribbean, and more (a 400 lists them).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: audioUploadBody({ target_accent: { type: 'string', example: 'scottish' } }, ['target_accent']) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  accentChange(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(accentFieldsSchema, 'form fields')) fields: AccentFields,
  ) {
    return this.jobs.submitAudioJob({
      userId: user.userId,
      idempotencyKey,
      upload,
      steps: [{ op: 'accent_change', target_accent: fields.target_accent }],
      jobType: 'accent_change',
    });
  }

  @Post('generate-music')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Compose music in a genre (seeded procedural composer rendered through a SoundFont)',
    description:
      'Output is normalised to −14 LUFS, −1 dBTP, and lasts the requested duration. The same `seed` and parameters give ' +
      'identical audio. The method (classical, not a neural model) is recorded in the job output; see GET /api/models.',
  })
  @ApiBody({ schema: openApiSchema(generateMusicSchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Unknown genre, bad key, tempo or duration' })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  generateMusic(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body(new ZodValidationPipe(generateMusicSchema)) body: GenerateMusicBody,
  ) {
    return this.jobs.submitGeneratedJob({
      userId: user.userId,
      idempotencyKey,
      step: musicStep(body),
      then: body.then,
      jobType: 'generate_music',
    });
  }

  @Post('generate-sfx')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Synthesise a sound effect from a short description (parametric synthesis)',
    description:
      'The description must name a supported effect (whoosh, rain, thunder, laser, chime, …); a 400 lists them.',
  })
  @ApiBody({ schema: openApiSchema(generateSfxSchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  generateSfx(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body(new ZodValidationPipe(generateSfxSchema)) body: GenerateSfxBody,
  ) {
    return this.jobs.submitGeneratedJob({
      userId: user.userId,
      idempotencyKey,
      step: sfxStep(body),
      then: body.then,
      jobType: 'generate_sfx',
    });
  }

  @Post('mood-music')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Music for a mood, sized and loudness-normalised for a platform (instagram, tiktok, youtube, podcast)',
  })
  @ApiBody({ schema: openApiSchema(moodMusicSchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Unknown mood or platform, or longer than the platform allows',
  })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  moodMusic(
    @CurrentUser() user: AuthPrincipal,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body(new ZodValidationPipe(moodMusicSchema)) body: MoodMusicBody,
  ) {
    return this.jobs.submitGeneratedJob({
      userId: user.userId,
      idempotencyKey,
      step: moodStep(body),
      then: body.then,
      jobType: 'mood_music',
    });
  }

  @Post('download/:job_id')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Get a time-limited download link; the first call charges the output length',
    description: 'Repeated or concurrent calls for the same job charge once. 1 credit = 1 second of output audio.',
  })
  @ApiParam({ name: 'job_id', format: 'uuid' })
  @ApiResponse({ status: 200, type: DownloadDto })
  @ApiResponse({ status: 402, type: ErrorResponseDto, description: 'Not enough credits' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'The job has not completed' })
  download(
    @CurrentUser() user: AuthPrincipal,
    @Param('job_id', new ZodValidationPipe(jobIdSchema, 'job id')) jobId: string,
  ) {
    return this.jobs.download(user.userId, jobId);
  }
}
