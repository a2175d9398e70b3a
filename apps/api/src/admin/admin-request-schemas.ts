import { ADMIN_ACTIONS } from '@voice/db';
import { JOB_STATUSES, PIPELINE_OPS, SUBSCRIPTION_TIERS } from '@voice/shared';
import { z } from 'zod/v4';

import { openApiSchema } from '../common/openapi';

const DAY_MS = 24 * 60 * 60 * 1000;
/** About three years of audio: far beyond any real grant, so a slip of the keyboard is refused. */
const MAX_CREDIT_SECONDS = 100_000_000;

const limit = z.coerce.number().int().min(1).max(100).default(20);
const offset = z.coerce.number().int().min(0).default(0);

/** Why the admin acted: stored in the audit log (and the ledger entry's metadata for credits). */
const reason = z
  .string({ error: 'is required: say why' })
  .trim()
  .min(1, 'must not be empty: say why')
  .max(500, 'must be at most 500 characters')
  .describe('Why: kept in the audit log.');

export const userIdSchema = z.uuid({ error: 'must be a user id (UUID)' });

export const userSearchQuerySchema = z.object({
  q: z.string().trim().max(200).optional().describe('Part of an email or name, or a whole user id.'),
  limit,
  offset,
});

export const suspendBodySchema = z.object({ reason }).strict();
export const unsuspendBodySchema = z.object({ reason: reason.optional() }).strict();

export const updateUserBodySchema = z
  .object({
    tier: z.enum(SUBSCRIPTION_TIERS, { error: `must be one of ${SUBSCRIPTION_TIERS.join(', ')}` }),
    reason: reason.optional(),
  })
  .strict();

export const creditBodySchema = z
  .object({
    kind: z
      .enum(['grant', 'correction'], { error: 'must be grant or correction' })
      .describe('`grant` adds credits; `correction` moves the balance either way (never below zero).'),
    amount: z
      .number({ error: 'must be a whole number of credit-seconds' })
      .int('must be a whole number of credit-seconds')
      .min(-MAX_CREDIT_SECONDS)
      .max(MAX_CREDIT_SECONDS)
      .refine((value) => value !== 0, 'must not be zero')
      .describe('Credit-seconds (1 credit = 1 second of audio); negative only for a correction.'),
    reason,
  })
  .strict()
  .superRefine((body, context) => {
    if (body.kind === 'grant' && body.amount < 0) {
      context.addIssue({ code: 'custom', path: ['amount'], message: 'a grant must be positive; use a correction' });
    }
  });

/** `YYYY-MM-DD` or an ISO date-time with offset; a bare date as `to` includes that whole day. */
function dateBound(endOfDay: boolean) {
  return z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], {
      error: 'must be a date (YYYY-MM-DD) or an ISO date-time',
    })
    .transform((value) => {
      const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
      return endOfDay && value.length === 10 ? new Date(date.getTime() + DAY_MS) : date;
    })
    .optional();
}

export const adminJobsQuerySchema = z.object({
  user: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('A user id, or part of the owner’s email (case-insensitive).'),
  type: z
    .enum(PIPELINE_OPS, { error: `must be one step type: ${PIPELINE_OPS.join(', ')}` })
    .optional()
    .describe('Jobs that ran this step (a chain matches each of its steps).'),
  status: z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(', ')}` }).optional(),
  from: dateBound(false).describe('Created at or after (UTC).'),
  to: dateBound(true).describe('Created before; a bare date includes that day (UTC).'),
  limit,
  offset,
});

export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().min(1).optional().describe('A previous page’s nextCursor.'),
  userId: userIdSchema.optional().describe('Actions on this user.'),
  adminId: userIdSchema.optional().describe('Actions by this admin.'),
  action: z.enum(ADMIN_ACTIONS, { error: `must be one of ${ADMIN_ACTIONS.join(', ')}` }).optional(),
});

export type UserSearchQuery = z.output<typeof userSearchQuerySchema>;
export type SuspendBody = z.output<typeof suspendBodySchema>;
export type UnsuspendBody = z.output<typeof unsuspendBodySchema>;
export type UpdateUserBody = z.output<typeof updateUserBodySchema>;
export type CreditBody = z.output<typeof creditBodySchema>;
export type AdminJobsQuery = z.output<typeof adminJobsQuerySchema>;
export type AuditQuery = z.output<typeof auditQuerySchema>;

export const suspendBodyOpenApi = openApiSchema(suspendBodySchema);
export const unsuspendBodyOpenApi = openApiSchema(unsuspendBodySchema);
export const updateUserBodyOpenApi = openApiSchema(updateUserBodySchema);
export const creditBodyOpenApi = openApiSchema(creditBodySchema);
