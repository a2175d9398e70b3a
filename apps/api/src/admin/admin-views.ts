import type { AdminJobRow, AuditLogRow, CreditLedgerEntry, User } from '@voice/db';

import type { AdminJobDto, AdminUserDto, AuditEntryDto, LedgerEntryDto } from './dto/admin-panel.dto';

/** Explicit mappers to the admin response shapes: never a password hash, an idempotency key or a storage key. */

export function adminUserView(user: User): AdminUserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    tier: user.subscriptionTier,
    suspended: user.suspendedAt !== null,
    suspendedAt: user.suspendedAt?.toISOString() ?? null,
    creditsRemaining: user.creditsBalance,
    createdAt: user.createdAt.toISOString(),
  };
}

export function ledgerEntryView(entry: CreditLedgerEntry): LedgerEntryDto {
  return {
    id: entry.id,
    kind: entry.kind,
    amount: entry.amount,
    balanceAfter: entry.balanceAfter,
    description: entry.description,
    jobId: entry.jobId,
    ...(entry.metadata?.adminId ? { adminId: entry.metadata.adminId } : {}),
    ...(entry.metadata?.reason ? { reason: entry.metadata.reason } : {}),
    createdAt: entry.createdAt.toISOString(),
  };
}

export function auditEntryView(row: AuditLogRow): AuditEntryDto {
  return {
    id: row.id,
    adminId: row.adminId,
    adminEmail: row.adminEmail,
    action: row.action,
    targetUserId: row.targetUserId,
    targetEmail: row.targetEmail,
    targetJobId: row.targetJobId,
    details: row.details,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * The Temporal Web UI's page of a workflow (its latest run): `<ui>/namespaces/<ns>/workflows/<workflowId>`, or null
 * when no UI address is known.
 */
export function temporalRunUrl(uiUrl: string | null, namespace: string, workflowId: string): string | null {
  if (!uiUrl) return null;
  const base = uiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export function adminJobView(job: AdminJobRow, temporalUrl: string | null): AdminJobDto {
  return {
    id: job.id,
    userId: job.userId,
    userEmail: job.userEmail,
    userTier: job.userTier,
    jobType: job.jobType,
    status: job.status,
    progress: job.progress,
    error: job.error,
    workflowId: job.workflowId,
    temporalUrl,
    inputDurationMs: job.inputDurationMs,
    outputDurationMs: job.outputDurationMs,
    creditsHeld: job.creditsHeld,
    creditsCharged: job.creditsCharged,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    completedAt: job.completedAt?.toISOString() ?? null,
  };
}
