import { Inject, Injectable } from '@nestjs/common';
import { type Database, listAdminAudit } from '@voice/db';

import { DATABASE } from '../common/tokens';
import type { AuditQuery } from './admin-request-schemas';
import { auditEntryView } from './admin-views';
import type { AuditPageDto } from './dto/admin-panel.dto';

/** Reads the audit log; nothing in the API writes to it except the admin actions themselves. */
@Injectable()
export class AdminAuditService {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async list(query: AuditQuery): Promise<AuditPageDto> {
    const page = await listAdminAudit(this.db, {
      limit: query.limit,
      ...(query.before !== undefined ? { before: query.before } : {}),
      ...(query.userId !== undefined ? { targetUserId: query.userId } : {}),
      ...(query.adminId !== undefined ? { adminId: query.adminId } : {}),
      ...(query.action !== undefined ? { action: query.action } : {}),
    });
    return { items: page.items.map(auditEntryView), nextCursor: page.nextCursor };
  }
}
