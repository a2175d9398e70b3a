import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { z } from 'zod/v4';
import { openApiSchema, type SchemaObject } from '../../common/openapi';
import {
  JOB_STATUSES,
  PIPELINE_OPS,
  type EditRecord,
  type StepProgress,
  type StepState,
  type VoiceConversionRecord,
} from '@voice/shared';
import type { TranscribedWord, TranscriptSegment, TranscriptionResult } from '@voice/speech';
import type { PublicJobResult, PublicQualityReport, PublicTranscript } from '../job-views';

/** multipart/form-data body: the `audio_file` part plus the given text fields. */
export function audioUploadBody(fields: Record<string, SchemaObject>, requiredFields: string[] = []): SchemaObject {
  return {
    type: 'object',
    required: ['audio_file', ...requiredFields],
    properties: {
      audio_file: { type: 'string', format: 'binary', description: 'WAV, MP3, FLAC, M4A or OGG (detected by content)' },
      ...fields,
    },
  };
}

/**
 * The multipart body of an upload endpoint, documented from the zod schema its fields are validated with.
 * `descriptions` annotates fields whose schema is a JSON-encoded string (steps, operations).
 */
export function multipartBody(fields: z.ZodType, descriptions: Record<string, string> = {}): SchemaObject {
  const schema = openApiSchema(fields);
  const properties: Record<string, SchemaObject> = { ...(schema.properties as Record<string, SchemaObject>) };
  for (const [name, description] of Object.entries(descriptions)) {
    properties[name] = { ...properties[name], type: 'string', description };
  }
  return audioUploadBody(properties, (schema.required as string[] | undefined) ?? []);
}

export class AcceptedJobDto {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty({ enum: JOB_STATUSES, example: 'pending' }) status!: string;
  @ApiProperty({ example: '/api/jobs/6f1c…/status' }) statusUrl!: string;
}

/*
 * The public job result (PublicJobResult in job-views.ts), described for the OpenAPI document. Each class
 * `implements` the type toPublicJobResult returns, so a field added there and not here fails the build.
 */

/** Every op a step record or model line can name: the step registry's ops plus the pipeline's own stages. */
const STEP_RECORD_OPS = [
  ...PIPELINE_OPS,
  'preprocess',
  'quality',
  'settle',
] as const satisfies readonly StepProgress['op'][];
const STEP_STATES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
  'skipped',
] as const satisfies readonly StepState[];
const EDIT_TYPES = ['remove_blooper', 'mute_word', 'trim_silence'] as const satisfies readonly EditRecord['type'][];

type MeasuredInput = Exclude<PublicJobResult['input'], { source: string }>;
type RevoicedView = NonNullable<PublicJobResult['revoiced']>[number];

export class ModelUsedDto {
  @ApiProperty({ enum: STEP_RECORD_OPS }) op!: StepProgress['op'];
  @ApiProperty({ example: 'deepfilternet3' }) model!: string;
}

export class InputReportDto implements MeasuredInput {
  @ApiProperty() durationMs!: number;
  @ApiProperty({ description: 'Rate the pipeline processed at' }) sampleRate!: number;
  @ApiProperty({ example: 'wav' }) container!: string;
  @ApiProperty() originalSampleRate!: number;
  @ApiProperty() channels!: number;
  @ApiProperty({ nullable: true, type: Number }) integratedLufs!: number | null;
  @ApiProperty({ nullable: true, type: Number }) peakDbfs!: number | null;
  @ApiProperty({ nullable: true, type: Number }) truePeakDbtp!: number | null;
}

/** The input of a job that starts from text (TTS) or from nothing (generators). */
export class GeneratedInputDto {
  @ApiProperty({ enum: ['text', 'none'] }) source!: 'text' | 'none';
}

export class IntelligibilityDto {
  @ApiProperty({ description: 'Of the delivered speech against the text, 0–1' }) wordErrorRate!: number;
  @ApiProperty() recognizer!: string;
  @ApiPropertyOptional({ description: 'What was heard in the output; only once the download is charged' })
  heard?: string;
}

export class QualityReportDto implements PublicQualityReport {
  @ApiProperty() durationMs!: number;
  @ApiProperty() integratedLufs!: number;
  @ApiProperty() truePeakDbtp!: number;
  @ApiProperty() peakDbfs!: number;
  @ApiProperty({ nullable: true, type: Number }) targetLufs!: number | null;
  @ApiPropertyOptional({ type: IntelligibilityDto, description: 'TTS only' }) intelligibility?: IntelligibilityDto;
}

/** The output of a transcript-only job. */
export class TranscriptOutputDto {
  @ApiProperty() words!: number;
}

export class PublicTranscriptDto implements PublicTranscript {
  @ApiProperty() modelId!: string;
  @ApiProperty({ example: 'en' }) language!: string;
  @ApiProperty() wordCount!: number;
  @ApiPropertyOptional({ description: 'First characters of the text; only once the download is charged' })
  preview?: string;
}

export class EditRecordDto implements EditRecord {
  @ApiProperty({ enum: EDIT_TYPES }) type!: EditRecord['type'];
  @ApiProperty() detail!: string;
}

export class VoiceConversionRecordDto implements VoiceConversionRecord {
  @ApiProperty() method!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The parameters the method applied' })
  applied!: Record<string, unknown>;
  @ApiProperty({ description: "The target voice's name" }) target!: string;
}

export class RevoicingMethodsDto {
  @ApiPropertyOptional() translation?: string;
  @ApiProperty() speech!: string;
  @ApiProperty() background!: string;
}

export class RevoicedDto implements RevoicedView {
  @ApiProperty({ enum: ['dub', 'accent_change'] }) op!: 'dub' | 'accent_change';
  @ApiProperty({ type: PublicTranscriptDto, description: 'What was heard in the original' })
  source!: PublicTranscriptDto;
  @ApiProperty() language!: string;
  @ApiProperty() lines!: number;
  @ApiPropertyOptional({ description: 'The new script; only once the download is charged' }) preview?: string;
  @ApiProperty({ type: RevoicingMethodsDto }) methods!: RevoicingMethodsDto;
}

/** What a completed job made and how: models, methods and measurements, never storage keys. */
@ApiExtraModels(InputReportDto, GeneratedInputDto, QualityReportDto, TranscriptOutputDto)
export class PublicJobResultDto implements PublicJobResult {
  @ApiProperty({ type: [ModelUsedDto] }) models!: ModelUsedDto[];
  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(InputReportDto) }, { $ref: getSchemaPath(GeneratedInputDto) }] })
  input!: InputReportDto | GeneratedInputDto;
  @ApiProperty({
    oneOf: [{ $ref: getSchemaPath(QualityReportDto) }, { $ref: getSchemaPath(TranscriptOutputDto) }],
    description: "The quality gate's measurements of the output audio, or the word count of a transcript-only job",
  })
  output!: QualityReportDto | TranscriptOutputDto;
  @ApiPropertyOptional({ type: PublicTranscriptDto }) transcript?: PublicTranscriptDto;
  @ApiPropertyOptional({ type: [EditRecordDto] }) edits?: EditRecordDto[];
  @ApiPropertyOptional({ type: [VoiceConversionRecordDto] }) voiceConversion?: VoiceConversionRecordDto[];
  @ApiPropertyOptional({ type: [RevoicedDto] }) revoiced?: RevoicedDto[];
}

export class JobStatusDto {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty({ example: 'denoise' }) jobType!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiPropertyOptional({ description: 'Why the job failed, in plain words' }) error?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) inputDurationMs!: number | null;
  @ApiProperty({ nullable: true, type: Number }) outputDurationMs!: number | null;
  @ApiProperty({ description: 'Credit-seconds currently held for this job' }) creditsHeld!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Credit-seconds charged at first download' })
  creditsCharged!: number | null;
  @ApiProperty({ description: 'Completed and still within its download window (RETENTION_DAYS after it ended)' })
  downloadable!: boolean;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the download window ended and the job’s files were deleted; absent while they are kept',
  })
  filesExpiredAt?: string;
  @ApiPropertyOptional({
    type: PublicJobResultDto,
    description: 'For completed jobs: the models and methods used and what was measured',
  })
  result?: PublicJobResultDto;
}

export class StepProgressDto implements StepProgress {
  @ApiProperty() index!: number;
  @ApiProperty({ enum: STEP_RECORD_OPS, example: 'denoise' }) op!: StepProgress['op'];
  @ApiProperty({ enum: STEP_STATES }) state!: StepState;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ description: 'Share of the whole job (weights sum to 1)' }) weight!: number;
  @ApiPropertyOptional() model?: string;
  @ApiPropertyOptional({ format: 'date-time' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) completedAt?: string;
}

export class JobProgressDto {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ description: 'True while read from the running workflow' }) live!: boolean;
  @ApiProperty({ type: [StepProgressDto] }) steps!: StepProgressDto[];
  @ApiPropertyOptional() error?: string;
}

export class JobHistoryDto {
  @ApiProperty({ type: [JobStatusDto] }) items!: JobStatusDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class DownloadArtifactsDto {
  @ApiProperty({ description: 'Time-limited signed URL of the SubRip subtitles' }) srt!: string;
  @ApiProperty({ description: 'Time-limited signed URL of the WebVTT subtitles' }) vtt!: string;
}

export class DownloadDto {
  @ApiProperty({
    description:
      'Time-limited signed URL of the output: a WAV file, or for a transcript-only job the transcript as JSON ' +
      '(TranscriptDocumentDto)',
  })
  url!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ description: 'Credit-seconds charged for this job (once, on the first download)' })
  creditsCharged!: number;
  @ApiProperty({ description: 'True when an earlier call already charged' }) alreadyCharged!: boolean;
  @ApiProperty({ enum: ['second'] }) unit!: string;
  @ApiPropertyOptional({ type: DownloadArtifactsDto, description: 'Subtitles of a job with a transcript' })
  artifacts?: DownloadArtifactsDto;
}

export class TranscriptWordDto implements TranscribedWord {
  @ApiProperty({ example: 'hello' }) word!: string;
  @ApiProperty({ description: 'Seconds from the start of the input' }) start!: number;
  @ApiProperty({ description: 'Seconds from the start of the input' }) end!: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1 }) confidence?: number;
}

export class TranscriptSegmentDto implements TranscriptSegment {
  @ApiProperty() start!: number;
  @ApiProperty() end!: number;
  @ApiProperty() text!: string;
}

/** The transcript JSON a transcription job's download link serves (a file, so it is not a route's response). */
export class TranscriptDocumentDto implements TranscriptionResult {
  @ApiProperty() text!: string;
  @ApiProperty({ example: 'en' }) language!: string;
  @ApiProperty() modelId!: string;
  @ApiProperty({ type: [TranscriptWordDto], description: 'In order of start; always present, empty for silence' })
  words!: TranscriptWordDto[];
  @ApiProperty({ type: [TranscriptSegmentDto] }) segments!: TranscriptSegmentDto[];
  @ApiProperty({ description: 'Pieces the voice-activity detector cut the audio into' }) chunks!: number;
  @ApiProperty() durationSeconds!: number;
}

export class InputAudioDto {
  @ApiProperty({ description: 'Time-limited signed URL of the upload, as it was sent' }) url!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ nullable: true, type: String, example: 'interview.wav' }) filename!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'wav' }) format!: string | null;
  @ApiProperty({ nullable: true, type: Number }) durationMs!: number | null;
}
