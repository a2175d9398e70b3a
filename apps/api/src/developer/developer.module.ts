import { Module } from '@nestjs/common';

import { DeveloperController } from './developer.controller';
import { DeveloperService } from './developer.service';

/** The developer API's management side: API keys and usage, for signed-in users. */
@Module({ controllers: [DeveloperController], providers: [DeveloperService] })
export class DeveloperModule {}
