import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/* OpenAI's response shapes, described for the OpenAPI document. */

export class OpenAiErrorDetailDto {
  @ApiProperty({ example: "The model 'whisper-9' does not exist or is not installed for speech to text" })
  message!: string;

  @ApiProperty({
    example: 'invalid_request_error',
    description:
      'invalid_request_error, authentication_error, permission_error, insufficient_quota, rate_limit_error, server_error',
  })
  type!: string;

  @ApiProperty({ type: String, nullable: true, example: 'model', description: 'The request field at fault' })
  param!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'model_not_found' })
  code!: string | null;
}

export class OpenAiErrorDto {
  @ApiProperty({ type: OpenAiErrorDetailDto })
  error!: OpenAiErrorDetailDto;
}

export class OpenAiModelDto {
  @ApiProperty({ example: 'whisper-1' }) id!: string;
  @ApiProperty({ enum: ['model'] }) object!: 'model';
  @ApiProperty({ description: 'Unix seconds (when this server started: installed models carry no date)' })
  created!: number;
  @ApiProperty({ example: 'voice-platform' }) owned_by!: string;
}

export class OpenAiModelListDto {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [OpenAiModelDto] }) data!: OpenAiModelDto[];
}

export class TranscriptionJsonDto {
  @ApiProperty({ example: 'The weather is nice today.' }) text!: string;
}

export class VerboseSegmentDto {
  @ApiProperty() id!: number;
  @ApiProperty({ description: 'Start in 10 ms frames' }) seek!: number;
  @ApiProperty() start!: number;
  @ApiProperty() end!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ type: [Number], description: 'Not kept by the recogniser: always empty' }) tokens!: number[];
  @ApiProperty() temperature!: number;
  @ApiProperty({ description: "Mean log-probability of the segment's words" }) avg_logprob!: number;
  @ApiProperty() compression_ratio!: number;
  @ApiProperty({ description: 'Segments judged silent are dropped before delivery, so 0' }) no_speech_prob!: number;
}

export class VerboseWordDto {
  @ApiProperty() word!: string;
  @ApiProperty() start!: number;
  @ApiProperty() end!: number;
}

export class VerboseTranscriptionDto {
  @ApiProperty({ enum: ['transcribe', 'translate'] }) task!: string;
  @ApiProperty({ example: 'english' }) language!: string;
  @ApiProperty({ description: 'Seconds' }) duration!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ type: [VerboseSegmentDto] }) segments!: VerboseSegmentDto[];
  @ApiPropertyOptional({ type: [VerboseWordDto], description: 'With timestamp_granularities[]=word' })
  words?: VerboseWordDto[];
}
