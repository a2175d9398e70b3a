import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import type { Env } from '@voice/config';
import { ENV } from '../common/tokens';
import { DownloadService } from './download.service';
import { JobEventsController } from './events/job-events.controller';
import { JobEventsHub } from './events/job-events-hub';
import { JobEventsService } from './events/job-events.service';
import { JobSubmissionService } from './job-submission.service';
import { JobSubmitRateLimitGuard } from './job-submit-rate-limit.guard';
import { AudioController } from './audio.controller';
import { FilesController } from './files.controller';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { ModelsController } from './models.controller';
import { multerOptions } from './upload';

@Module({
  imports: [MulterModule.registerAsync({ useFactory: (env: Env) => multerOptions(env), inject: [ENV] })],
  controllers: [JobsController, JobEventsController, AudioController, FilesController, ModelsController],
  providers: [
    JobSubmissionService,
    JobsService,
    JobEventsHub,
    JobEventsService,
    DownloadService,
    JobSubmitRateLimitGuard,
  ],
  // The /v1 OpenAI module submits and follows jobs the same way.
  exports: [JobSubmissionService, JobsService, JobSubmitRateLimitGuard],
})
export class JobsModule {}
