import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import type { Env } from '@voice/config';
import type { Client } from '@temporalio/client';
import { ENV, TEMPORAL_CLIENT, factoryProvider } from '../common/tokens';
import { DownloadService } from './download.service';
import { JobSubmissionService } from './job-submission.service';
import { PIPELINE_CLIENT, TemporalPipelineClient, UnavailablePipelineClient } from './pipeline-client';
import { AudioController } from './audio.controller';
import { FilesController } from './files.controller';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { ModelsController } from './models.controller';
import { multerOptions } from './upload';

@Module({
  imports: [MulterModule.registerAsync({ useFactory: (env: Env) => multerOptions(env), inject: [ENV] })],
  controllers: [JobsController, AudioController, FilesController, ModelsController],
  providers: [
    factoryProvider(
      PIPELINE_CLIENT,
      (client: Client | null, env: Env) =>
        client ? new TemporalPipelineClient(client, env) : new UnavailablePipelineClient(),
      [TEMPORAL_CLIENT, ENV],
    ),
    JobSubmissionService,
    JobsService,
    DownloadService,
  ],
})
export class JobsModule {}
