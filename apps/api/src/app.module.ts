import { type DynamicModule, Module } from '@nestjs/common';

import type { ApiDependencies } from './api-dependencies';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { CoreModule } from './common/core.module';
import { LoggingModule } from './common/logging/logging.module';
import { DeveloperModule } from './developer/developer.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { LifecycleModule } from './lifecycle/api-lifecycle';
import { OpenAiModule } from './openai/openai.module';
import { OperationsModule } from './operations/operations.module';
import { PaymentsModule } from './payments/payments.module';
import { VoicesModule } from './voices/voices.module';
import { UserModule } from './user/user.module';

/**
 * The API's root. To add a feature: create `src/<feature>/<feature>.module.ts` (controller + service,
 * injecting DATABASE / STORAGE from tokens.ts, Temporal only through PIPELINE_CLIENT) and list it in `imports` below. Its
 * routes are then protected by default, mapped by the global error filter, and must appear in the
 * OpenAPI document (test/openapi.test.ts checks every route).
 */
@Module({})
export class AppModule {
  static forRoot(deps: ApiDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(deps),
        LifecycleModule,
        LoggingModule.forRoot(),
        AuthModule,
        AdminModule,
        UserModule,
        HealthModule,
        JobsModule,
        VoicesModule,
        DeveloperModule,
        PaymentsModule,
        OpenAiModule,
        OperationsModule,
      ],
    };
  }
}
