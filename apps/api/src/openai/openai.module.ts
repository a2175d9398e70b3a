import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import type { Env } from '@voice/config';

import { ENV } from '../common/tokens';
import { JobsModule } from '../jobs/jobs.module';
import { multerOptions } from '../jobs/upload';
import { OpenAiAudioService } from './openai-audio.service';
import { OpenAiController } from './openai.controller';

/** The OpenAI-compatible audio API at /v1, built on the job pipeline (JobsModule's submission and status). */
@Module({
  imports: [JobsModule, MulterModule.registerAsync({ useFactory: (env: Env) => multerOptions(env), inject: [ENV] })],
  controllers: [OpenAiController],
  providers: [OpenAiAudioService],
})
export class OpenAiModule {}
