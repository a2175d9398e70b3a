import { Module } from '@nestjs/common';

import { DeveloperController } from './developer.controller';
import { DeveloperService } from './developer.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** The developer API's management side: API keys, usage and webhooks, for signed-in users. */
@Module({ controllers: [DeveloperController, WebhooksController], providers: [DeveloperService, WebhooksService] })
export class DeveloperModule {}
