import { formatCredits } from '../../lib/format';
import type { AdminAction, AuditEntry, SubscriptionTier } from './admin-queries';

/** A Record, so a new action in the API's enum must be named here (the build fails otherwise). */
export const ACTION_LABELS: Record<AdminAction, string> = {
  'user.suspend': 'Suspended account',
  'user.unsuspend': 'Lifted suspension',
  'user.tier': 'Changed tier',
  'credits.grant': 'Granted credits',
  'credits.correct': 'Corrected credits',
  'mfa.enrol': 'Enrolled authenticator',
};

export const TIER_LABELS: Record<SubscriptionTier, string> = { free: 'Free', premium: 'Premium' };

export const TIERS = Object.keys(TIER_LABELS) as SubscriptionTier[];

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** What an audit row changed, in words (its reason is shown apart). */
export function describeAuditDetails(entry: AuditEntry): string {
  const { details } = entry;
  switch (entry.action) {
    case 'credits.grant':
    case 'credits.correct': {
      const amount = number(details['amount']) ?? 0;
      const after = number(details['balanceAfter']);
      const sign = amount < 0 ? '−' : '+';
      const balance = after !== undefined ? `, balance ${formatCredits(after)}` : '';
      return `${sign}${formatCredits(Math.abs(amount))}${balance}`;
    }
    case 'user.tier': {
      const from = text(details['from']);
      const to = text(details['to']);
      return from && to ? `${from} → ${to}` : '';
    }
    case 'user.suspend': {
      const revoked = number(details['revokedRefreshTokens']);
      return revoked !== undefined ? `${revoked} session${revoked === 1 ? '' : 's'} signed out` : '';
    }
    case 'user.unsuspend':
    case 'mfa.enrol':
      return '';
  }
}

export function auditReason(entry: AuditEntry): string | undefined {
  return text(entry.details['reason']);
}
