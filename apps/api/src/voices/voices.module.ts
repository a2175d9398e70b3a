import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import type { Env } from '@voice/config';
import { ENV } from '../common/tokens';
import { multerOptions } from '../jobs/upload';
import { VoicesController } from './voices.controller';
import { VoicesService } from './voices.service';

@Module({
  imports: [MulterModule.registerAsync({ useFactory: (env: Env) => multerOptions(env), inject: [ENV] })],
  controllers: [VoicesController],
  providers: [VoicesService],
})
export class VoicesModule {}
