import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Env } from '@voice/config';
import { Public } from '../auth/decorators/public.decorator';
import { ENV } from '../common/tokens';
import { ModelListDto } from './dto/models.dto';
import { listModelAvailability, type ModelListing } from './model-listing';

@ApiTags('models')
@Controller('models')
export class ModelsController {
  constructor(@Inject(ENV) private readonly env: Env) {}

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Installed models per task, best first, each marked neural or classical; the others with why not',
  })
  @ApiOkResponse({ type: ModelListDto })
  list(): Promise<ModelListing> {
    return listModelAvailability({ modelsDir: this.env.MODELS_DIR });
  }
}
