import { Module } from '@nestjs/common';

import { AdminOperationsController } from './operations.controller';
import { OperationsService } from './operations.service';

/**
 * Live operating figures (task-queue backlogs, held credits): the admin operations page at /api/admin/operations,
 * and, when metrics are on, the scrape-time gauges of /metrics, both from OperationsService's one reading.
 */
@Module({
  controllers: [AdminOperationsController],
  providers: [OperationsService],
  exports: [OperationsService],
})
export class OperationsModule {}
