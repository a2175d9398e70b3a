import { Controller, Get, Inject } from '@nestjs/common';
import type { Env } from '@voice/config';
import { ENV } from '../common/tokens';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { isInstalled, listModels } from '@voice/models';
import { Public } from '../auth/decorators/public.decorator';

@ApiTags('models')
@Controller('models')
export class ModelsController {
  constructor(@Inject(ENV) private readonly env: Env) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Installed models per task, best first, each marked neural or classical' })
  list() {
    const location = { modelsDir: this.env.MODELS_DIR };
    const models = listModels().filter((model) => isInstalled(model, location));
    const byTask: Record<string, unknown[]> = {};
    for (const model of [...models].sort((a, b) => b.qualityTier - a.qualityTier)) {
      const forTask = (byTask[model.task] ??= []);
      forTask.push({
        id: model.id,
        displayName: model.displayName,
        kind: model.kind,
        runtime: model.runtime,
        languages: model.languages,
        sampleRate: model.sampleRate,
        qualityTier: model.qualityTier,
        licence: model.licence,
        // Sorted best first, so the first installed model of a task is the one chosen by default.
        default: forTask.length === 0,
      });
    }
    return { tasks: byTask };
  }
}
