import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AdminController } from './admin.controller';
import { AdminMfaController } from './admin-mfa.controller';
import { AdminService } from './admin.service';

/**
 * The admin API under /api/admin (role `admin`, second factor required except for enrolment) and the bootstrap
 * admin from ADMIN_EMAIL / ADMIN_PASSWORD.
 */
@Module({
  imports: [AuthModule],
  controllers: [AdminController, AdminMfaController],
  providers: [AdminService, AdminBootstrapService],
})
export class AdminModule {}
