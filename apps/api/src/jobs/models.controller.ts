import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { isInstalled, listModels } from '@voice/models';
import { Public } from '../auth/decorators/public.decorator';

@ApiTags('models')
@Controller('models')
export class ModelsController {
  @Public()
  @Get()
  @ApiOperation({ summary: 'Installed models per task, best first, each marked neural or classical' })
  list() {
    const models = listModels().filter((model) => isInstalled(model));
    const byTask: Record<string, unknown[]> = {};
    for (const model of [...models].sort((a, b) => b.qualityTier - a.qualityTier)) {
      (byTask[model.task] ??= []).push({
        id: model.id,
        displayName: model.displayName,
        kind: model.kind,
        runtime: model.runtime,
        languages: model.languages,
        sampleRate: model.sampleRate,
        qualityTier: model.qualityTier,
        licence: model.licence,
        default: byTask[model.task]?.length === 0,
      });
    }
    return { tasks: byTask };
  }
}
