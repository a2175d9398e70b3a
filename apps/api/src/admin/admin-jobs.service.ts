import { Inject, Injectable } from '@nestjs/common';
import type { Env } from '@voice/config';
import { type Database, listAllJobs, type AdminJobRow } from '@voice/db';

import { DATABASE, ENV, TEMPORAL_UI_URL } from '../common/tokens';
import type { AdminJobsQuery } from './admin-request-schemas';
import { adminJobView, temporalRunUrl } from './admin-views';
import type { AdminJobDto, AdminJobPageDto } from './dto/admin-panel.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every user's jobs for admins, each with a deep link to its run in the Temporal Web UI. */
@Injectable()
export class AdminJobsService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(ENV) private readonly env: Env,
    @Inject(TEMPORAL_UI_URL) private readonly temporalUiUrl: string | null,
  ) {}

  async list(query: AdminJobsQuery): Promise<AdminJobPageDto> {
    // `user` is an id when it parses as one, else part of an email: the one box in the UI takes either.
    const user = query.user;
    const page = await listAllJobs(this.db, {
      limit: query.limit,
      offset: query.offset,
      ...(user !== undefined && UUID.test(user) ? { userId: user.toLowerCase() } : {}),
      ...(user !== undefined && !UUID.test(user) ? { email: user } : {}),
      ...(query.type ? { step: query.type } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.from ? { createdFrom: query.from } : {}),
      ...(query.to ? { createdTo: query.to } : {}),
    });
    return {
      items: page.items.map((job) => this.view(job)),
      total: page.total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  /** The latest jobs of one user (the user page). */
  async latestOf(userId: string, limit: number): Promise<{ items: AdminJobDto[]; total: number }> {
    const page = await listAllJobs(this.db, { limit, offset: 0, userId });
    return { items: page.items.map((job) => this.view(job)), total: page.total };
  }

  private view(job: AdminJobRow): AdminJobDto {
    return adminJobView(job, temporalRunUrl(this.temporalUiUrl, this.env.TEMPORAL_NAMESPACE, job.workflowId));
  }
}
