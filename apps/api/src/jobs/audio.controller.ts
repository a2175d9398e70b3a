import { Body, Controller, HttpCode, HttpStatus, Param, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { PipelineStep } from '@voice/shared';
import { RequireScope } from '../auth/api-keys/require-scope.decorator';
import { apiKeyIdOf, type AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { BEARER_SCHEME, ErrorResponseDto, openApiSchema } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { DownloadService } from './download.service';
import { AcceptedJobDto, DownloadDto, TranscriptDocumentDto, multipartBody } from './dto/job.dto';
import { ApiSubmitOptions, JobSubmitOptions, type SubmitOptions } from './submit-options.decorator';
import { JobSubmissionService, type UploadedAudio } from './job-submission.service';
import { SubmitsJob } from './job-submit-rate-limit.guard';
import {
  accentFieldsSchema,
  denoiseFieldsSchema,
  dubFieldsSchema,
  editFieldsSchema,
  generateMusicSchema,
  generateSfxSchema,
  jobIdSchema,
  moodMusicSchema,
  sttFieldsSchema,
  ttsBodySchema,
  voiceCloneFieldsSchema,
  type AccentFields,
  type DenoiseFields,
  type DubFields,
  type EditFields,
  type GenerateMusicBody,
  type GenerateSfxBody,
  type MoodMusicBody,
  type SttFields,
  type TtsBody,
  type VoiceCloneFields,
} from './request-schemas';
import { UploadCleanupInterceptor } from './upload-cleanup.interceptor';
import { AUDIO_FIELD } from './upload';

@ApiTags('audio')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or invalid access token' })
@Controller('audio')
export class AudioController {
  constructor(
    private readonly submissions: JobSubmissionService,
    private readonly downloads: DownloadService,
  ) {}

  /** Every endpoint here maps its body to steps and submits them the one way POST /api/jobs does. */
  private submitUpload(
    user: AuthPrincipal,
    options: SubmitOptions,
    upload: UploadedAudio | undefined,
    steps: PipelineStep[],
  ) {
    return this.submissions.submit({
      userId: user.userId,
      apiKeyId: apiKeyIdOf(user),
      tier: user.tier,
      ...options,
      source: { kind: 'upload', upload },
      steps,
    });
  }

  private submitGenerated(
    user: AuthPrincipal,
    options: SubmitOptions,
    first: PipelineStep,
    then: PipelineStep[] | undefined,
  ) {
    return this.submissions.submit({
      userId: user.userId,
      apiKeyId: apiKeyIdOf(user),
      tier: user.tier,
      ...options,
      source: { kind: 'none' },
      steps: [first, ...(then ?? [])],
    });
  }

  @Post('denoise')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Remove background noise, then loudness-normalise (−16 LUFS, −1 dBTP)',
    description:
      'The file type is detected from its content: WAV, MP3, FLAC, M4A or OGG, up to 8 channels and MAX_UPLOAD_BYTES ' +
      '(1 GiB by default).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: multipartBody(denoiseFieldsSchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Unknown model, bad noise_level, empty file, more than 8 channels',
  })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  @ApiResponse({ status: 413, type: ErrorResponseDto })
  @ApiResponse({ status: 415, type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  denoise(
    @CurrentUser() user: AuthPrincipal,
    @JobSubmitOptions() options: SubmitOptions,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(denoiseFieldsSchema, 'form fields')) fields: DenoiseFields,
  ) {
    return this.submitUpload(user, options, upload, [{ op: 'denoise', ...fields }]);
  }

  @Post('tts')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
  @ApiOperation({
    summary: 'Text to speech (1–10,000 characters), split at sentences, loudness-normalised',
    description:
      'The default is the best installed voice for the language (Piper, neural, for English; espeak-ng for others). ' +
      "`voice_id` is one of the model's own voices (a 400 lists them; library voices go through `then` and " +
      '`voice_clone`). Control characters and emoji are removed from `text`, which must keep a letter or digit. ' +
      '`parameters.speed` is a rate multiplier (0.5–2), `parameters.pitch` is in semitones (−6…+6; beyond ±2 the ' +
      'text needs 3 words or more). The output is transcribed back and compared with the text before it is delivered.',
  })
  @ApiBody({ schema: openApiSchema(ttsBodySchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Nothing speakable or too long text, unknown model or voice, unsupported language, pitch out of range',
  })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  tts(
    @CurrentUser() user: AuthPrincipal,
    @JobSubmitOptions() options: SubmitOptions,
    @Body(new ZodValidationPipe(ttsBodySchema)) body: TtsBody,
  ) {
    const { text, parameters, then, ...voice } = body;
    return this.submissions.submit({
      userId: user.userId,
      apiKeyId: apiKeyIdOf(user),
      tier: user.tier,
      ...options,
      source: { kind: 'text', text },
      steps: [{ op: 'tts', ...voice, ...parameters }, ...(then ?? [])],
    });
  }

  @Post('stt')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Speech to text with word-level timestamps, plus SRT and VTT',
    description:
      'Silence is gated out with a voice-activity detector before recognition (no hallucinated words), and long files ' +
      'are processed in chunks. The download returns the transcript JSON (`words` always present) and subtitle links.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: multipartBody(sttFieldsSchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Unknown model or unsupported language' })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  @ApiResponse({ status: 415, type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  stt(
    @CurrentUser() user: AuthPrincipal,
    @JobSubmitOptions() options: SubmitOptions,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(sttFieldsSchema, 'form fields')) fields: SttFields,
  ) {
    return this.submitUpload(user, options, upload, [{ op: 'stt', ...fields }]);
  }

  @Post('edit')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
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
  @ApiBody({ schema: multipartBody(editFieldsSchema, { operations: 'JSON array of edit operations' }) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Bad operations, a cut outside the recording or one that removes all of it, more than 8 channels',
  })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  @ApiResponse({ status: 415, type: ErrorResponseDto })
  @ApiResponse({ status: 422, type: ErrorResponseDto })
  edit(
    @CurrentUser() user: AuthPrincipal,
    @JobSubmitOptions() options: SubmitOptions,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(editFieldsSchema, 'form fields')) fields: EditFields,
  ) {
    return this.submitUpload(user, options, upload, [{ op: 'edit', ...fields }]);
  }

  @Post('voice-clone')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Convert speech toward a voice from your library (or a public one)',
    description:
      'No neural voice-conversion weights ship in any registry, so the installed method is DSP: a pitch shift to the ' +
      "target's median f0 and a mel-band EQ toward its long-term spectrum. The job output names the method " +
      '(`result.voiceConversion`); GET /api/models lists it as classical.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: multipartBody(voiceCloneFieldsSchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such voice, or not yours and not public' })
  voiceClone(
    @CurrentUser() user: AuthPrincipal,
    @JobSubmitOptions() options: SubmitOptions,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(voiceCloneFieldsSchema, 'form fields')) fields: VoiceCloneFields,
  ) {
    return this.submitUpload(user, options, upload, [{ op: 'voice_clone', ...fields }]);
  }

  @Post('dub')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: 'Dub speech into another language: transcribe → translate → synthesise, fitted to the original timing',
    description:
      'Translation is rule-based (Apertium; no neural MT ships offline): English ↔ Spanish, Catalan, Galician, Esperanto. ' +
      'Each line is time-stretched into its source slot and mixed over an estimate of the original background. The ' +
      'translated transcript is in the job result and the download.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: multipartBody(dubFieldsSchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Language pair not installed, or no voice for the target language',
  })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  dub(
    @CurrentUser() user: AuthPrincipal,
    @JobSubmitOptions() options: SubmitOptions,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(dubFieldsSchema, 'form fields')) fields: DubFields,
  ) {
    return this.submitUpload(user, options, upload, [{ op: 'dub', ...fields }]);
  }

  @Post('accent-change')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
  @UseInterceptors(FileInterceptor(AUDIO_FIELD), UploadCleanupInterceptor)
  @ApiOperation({
    summary: "Re-voice speech in another accent's voice, keeping the word timing",
    description:
      'Accents: american, british, received-pronunciation, scottish, new-york, caribbean, and more (a 400 lists them).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: multipartBody(accentFieldsSchema) })
  @ApiResponse({ status: 202, type: AcceptedJobDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 402, type: ErrorResponseDto })
  accentChange(
    @CurrentUser() user: AuthPrincipal,
    @JobSubmitOptions() options: SubmitOptions,
    @UploadedFile() upload: UploadedAudio | undefined,
    @Body(new ZodValidationPipe(accentFieldsSchema, 'form fields')) fields: AccentFields,
  ) {
    return this.submitUpload(user, options, upload, [{ op: 'accent_change', ...fields }]);
  }

  @Post('generate-music')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
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
    @JobSubmitOptions() options: SubmitOptions,
    @Body(new ZodValidationPipe(generateMusicSchema)) body: GenerateMusicBody,
  ) {
    const { parameters, then, ...music } = body;
    return this.submitGenerated(user, options, { op: 'generate_music', ...music, ...parameters }, then);
  }

  @Post('generate-sfx')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
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
    @JobSubmitOptions() options: SubmitOptions,
    @Body(new ZodValidationPipe(generateSfxSchema)) body: GenerateSfxBody,
  ) {
    const { then, ...sfx } = body;
    return this.submitGenerated(user, options, { op: 'generate_sfx', ...sfx }, then);
  }

  @Post('mood-music')
  @HttpCode(HttpStatus.ACCEPTED)
  @SubmitsJob()
  @ApiSubmitOptions()
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
    @JobSubmitOptions() options: SubmitOptions,
    @Body(new ZodValidationPipe(moodMusicSchema)) body: MoodMusicBody,
  ) {
    const { then, ...mood } = body;
    return this.submitGenerated(user, options, { op: 'mood_music', ...mood }, then);
  }

  @Post('download/:job_id')
  @HttpCode(HttpStatus.OK)
  // A read: the charge is for output the owner already ordered, once per job, as their own first download would be.
  @RequireScope('jobs:read')
  @ApiOperation({
    summary: 'Get a time-limited download link; the first call charges the output length',
    description:
      'Repeated or concurrent calls for the same job charge once (the charge is keyed by the job, so no ' +
      'Idempotency-Key is needed). 1 credit = 1 second of output audio. A transcript-only job links to its ' +
      'transcript JSON (TranscriptDocumentDto) and, in `artifacts`, to its SRT and VTT subtitles.',
  })
  @ApiExtraModels(TranscriptDocumentDto)
  @ApiParam({ name: 'job_id', format: 'uuid' })
  @ApiResponse({ status: 200, type: DownloadDto })
  @ApiResponse({ status: 402, type: ErrorResponseDto, description: 'Not enough credits' })
  @ApiResponse({
    status: 403,
    type: ErrorResponseDto,
    description: 'EMAIL_NOT_VERIFIED: the account has not opened its verification link yet',
  })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'The job has not completed' })
  @ApiResponse({
    status: 410,
    type: ErrorResponseDto,
    description: 'OUTPUT_EXPIRED: the download window (RETENTION_DAYS after the job ended) is over; nothing is charged',
  })
  download(
    @CurrentUser() user: AuthPrincipal,
    @Param('job_id', new ZodValidationPipe(jobIdSchema, 'job id')) jobId: string,
  ) {
    return this.downloads.download(user.userId, jobId);
  }
}
