import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { HealthModule } from '../health/health.module';
import { AdminAuditService } from './admin-audit.service';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AdminController } from './admin.controller';
import { AdminJobsService } from './admin-jobs.service';
import { AdminMfaController } from './admin-mfa.controller';
import {
  AdminAuditController,
  AdminJobsController,
  AdminSystemController,
  AdminUsersController,
} from './admin-panel.controller';
import { AdminService } from './admin.service';
import { AdminSystemService } from './admin-system.service';
import { AdminUsersService } from './admin-users.service';

/**
 * The admin API under /api/admin (role `admin`, second factor required except for enrolment): users, credits,
 * tiers, all jobs, the system page and the audit log; and the bootstrap admin from ADMIN_EMAIL / ADMIN_PASSWORD.
 */
@Module({
  imports: [AuthModule, HealthModule],
  controllers: [
    AdminController,
    AdminMfaController,
    AdminUsersController,
    AdminJobsController,
    AdminSystemController,
    AdminAuditController,
  ],
  providers: [
    AdminService,
    AdminBootstrapService,
    AdminUsersService,
    AdminJobsService,
    AdminSystemService,
    AdminAuditService,
  ],
})
export class AdminModule {}
