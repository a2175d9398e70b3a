import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import type { Env } from '@voice/config';
import { ENV, factoryProvider } from '../common/tokens';
import { multerOptions } from '../jobs/upload';
import { VOICE_ANALYSIS_POOL, VoiceAnalysisPool } from './voice-analysis-pool';
import { VoiceUploadRateLimitGuard } from './voice-upload-rate-limit.guard';
import { VoicesController } from './voices.controller';
import { VoicesService } from './voices.service';

@Module({
  imports: [MulterModule.registerAsync({ useFactory: (env: Env) => multerOptions(env), inject: [ENV] })],
  controllers: [VoicesController],
  providers: [
    VoicesService,
    VoiceUploadRateLimitGuard,
    factoryProvider(
      VOICE_ANALYSIS_POOL,
      (env: Env) => new VoiceAnalysisPool({ threads: env.VOICE_ANALYSIS_THREADS, maxQueued: env.VOICE_ANALYSIS_QUEUE }),
      [ENV],
    ),
  ],
})
export class VoicesModule implements OnApplicationShutdown {
  constructor(@Inject(VOICE_ANALYSIS_POOL) private readonly pool: VoiceAnalysisPool) {}

  // After the HTTP server has stopped (not onModuleDestroy, which runs before it): uploads still in flight
  // during shutdown finish their analysis instead of failing with a closed pool.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
