import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  PAYMENT_PROVIDERS,
  PAYMENT_STATUSES,
  SUBSCRIPTION_TIERS,
  WEBHOOK_EVENT_TYPES,
  type JobResult,
  type PipelineStep,
  type WebhookEventType,
} from '@voice/shared';

export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@voice/shared';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['user', 'admin'] })
      .notNull()
      .default('user'),
    /** Available credit-seconds; always equals the sum of this user's ledger entries. */
    creditsBalance: bigint('credits_balance', { mode: 'number' }).notNull().default(0),
    /** Set when the owner opens the verification link (or completes a password reset); null = unverified. */
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    /** Premium jobs get a higher task priority on the GPU queue; admins set it. */
    subscriptionTier: text('subscription_tier', { enum: SUBSCRIPTION_TIERS }).notNull().default('free'),
    /**
     * Set by an admin: the account cannot sign in, and its access tokens stop working at their next request (the
     * auth guard reads this column by primary key on every request).
     */
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    /**
     * Set when the owner erased the account (DELETE /api/user): the row stays as an anonymised tombstone because
     * the credit ledger, usage and payments reference it and must stay for accounting; email, name and password
     * hash are overwritten. The auth guard treats such an account as gone.
     */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('users_email_idx').on(sql`lower(${table.email})`),
    check('users_credits_balance_nonnegative', sql`${table.creditsBalance} >= 0`),
    check(
      'users_subscription_tier_valid',
      sql.raw(`subscription_tier in (${SUBSCRIPTION_TIERS.map((tier) => `'${tier}'`).join(', ')})`),
    ),
  ],
);

/** One row per issued refresh token; a family is one login's rotation chain. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    /** sha256 of the opaque token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /**
     * The sign-in passed a second factor (TOTP or recovery code). Rotation copies it, so refreshing a
     * password-only session can never yield an access token that reaches MFA-gated routes.
     */
    mfa: boolean('mfa').notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('refresh_tokens_token_hash_idx').on(table.tokenHash),
    index('refresh_tokens_family_idx').on(table.familyId),
    index('refresh_tokens_user_idx').on(table.userId),
  ],
);

/**
 * A user's TOTP factor (RFC 6238). The secret must be read back to check codes, so it is sealed (AES-256-GCM,
 * see SecretBox in @voice/runtime) rather than hashed: only the key id and the ciphertext are stored.
 */
export const userMfa = pgTable('user_mfa', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** Id of the DATA_ENCRYPTION_KEY entry that sealed the secret, so keys can rotate. */
  secretKeyId: text('secret_key_id').notNull(),
  /** base64url(iv ‖ ciphertext ‖ tag) of the base32 secret. */
  secretCiphertext: text('secret_ciphertext').notNull(),
  /** Null while the enrolment waits for its first code; the factor counts only once this is set. */
  enrolledAt: timestamp('enrolled_at', { withTimezone: true }),
  /** The newest TOTP time step accepted (unix seconds / 30); codes of that step or older are refused as replays. */
  lastUsedStep: bigint('last_used_step', { mode: 'number' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Single-use recovery codes of an enrolled factor; only their sha256 is stored. */
export const mfaRecoveryCodes = pgTable(
  'mfa_recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('mfa_recovery_codes_user_hash_idx').on(table.userId, table.codeHash)],
);

export const ACCOUNT_TOKEN_PURPOSES = ['verify_email', 'reset_password'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/** Single-use, expiring tokens mailed to a user (verification and password-reset links). */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    /** sha256 of the token in the link; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set once, by the single use that succeeded (or when a newer token of the same purpose replaced it). */
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('account_tokens_token_hash_idx').on(table.tokenHash),
    index('account_tokens_user_purpose_idx').on(table.userId, table.purpose),
    check('account_tokens_purpose_valid', sql`${table.purpose} in ('verify_email', 'reset_password')`),
  ],
);

export const voiceLibrary = pgTable(
  'voice_library',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    sampleKey: text('sample_key').notNull(),
    voiceCharacteristics: jsonb('voice_characteristics').$type<Record<string, unknown>>(),
    isPublic: boolean('is_public').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('voice_library_user_idx').on(table.userId), index('voice_library_public_idx').on(table.isPublic)],
);

/** What an API key may do; a signed-in session (JWT) may do everything. */
export const API_KEY_SCOPES = ['jobs:write', 'jobs:read', 'voices', 'credits:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * Developer API keys. The secret (`vp_live_…`) is shown once at creation; only its sha256 is stored, with the
 * first characters for display. Revoked keys stay (jobs and usage still name them); they never authenticate again.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** sha256 (hex) of the whole secret: every request looks its key up by this, through the unique index. */
    keyHash: text('key_hash').notNull(),
    /** The secret's first characters (`vp_live_ab12`), so a user can tell keys apart; never enough to use one. */
    prefix: text('prefix').notNull(),
    scopes: text('scopes').array().$type<ApiKeyScope[]>().notNull(),
    /** Null: never expires. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Updated at most once a minute per key, so authentication does not write on every request. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('api_keys_key_hash_idx').on(table.keyHash),
    index('api_keys_user_created_idx').on(table.userId, table.createdAt),
    check(
      'api_keys_scopes_known',
      sql`cardinality(${table.scopes}) > 0 and ${table.scopes} <@ array[${sql.raw(
        API_KEY_SCOPES.map((scope) => `'${scope}'`).join(', '),
      )}]::text[]`,
    ),
  ],
);

export const processingJobs = pgTable(
  'processing_jobs',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    jobType: text('job_type').notNull(),
    status: text('status', { enum: ['pending', 'running', 'completed', 'failed', 'cancelled'] })
      .notNull()
      .default('pending'),
    progress: integer('progress').notNull().default(0),
    workflowId: text('workflow_id').notNull(),
    /** The request as submitted: steps and their parameters. */
    parameters: jsonb('parameters').$type<{ steps: PipelineStep[] }>().notNull(),
    /**
     * SHA-256 over the submitting request (route, steps, text or upload hash) when it carried an Idempotency-Key:
     * a replay with the same key must be the same request.
     */
    requestFingerprint: text('request_fingerprint'),
    /** The API key that submitted the job; null for the web app (a signed-in session). */
    apiKeyId: uuid('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    /** Deepgram-style: the job's terminal event is also POSTed here, signed with the user's callback secret. */
    callbackUrl: text('callback_url'),
    /** Null for jobs made from text or from nothing (TTS, generators). */
    inputKey: text('input_key'),
    inputFilename: text('input_filename'),
    inputFormat: text('input_format'),
    inputDurationMs: integer('input_duration_ms'),
    outputKey: text('output_key'),
    outputDurationMs: integer('output_duration_ms'),
    /** Measurements and the models used, written by the workflow's activities. */
    result: jsonb('result').$type<JobResult>(),
    error: text('error'),
    /** Credit-seconds currently held for this job (reserve → settle → release). */
    creditsHeld: integer('credits_held').notNull().default(0),
    creditsCharged: integer('credits_charged'),
    chargedAt: timestamp('charged_at', { withTimezone: true }),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /**
     * Set by the retention schedule once the job ended RETENTION_DAYS ago: its download window is over, the API
     * answers 410 for its files from then on, and no new link to them is handed out.
     */
    filesExpiredAt: timestamp('files_expired_at', { withTimezone: true }),
    /** Set once the job's files (input, output, work files) were deleted from storage, a link lifetime after expiry. */
    filesDeletedAt: timestamp('files_deleted_at', { withTimezone: true }),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('processing_jobs_user_created_idx').on(table.userId, table.createdAt),
    index('processing_jobs_status_idx').on(table.status),
    uniqueIndex('processing_jobs_workflow_idx').on(table.workflowId),
    // The retention schedule's scans: finished jobs not yet expired, expired jobs whose files are still there,
    // and jobs that still hold credits (also what the held-credits gauge sums).
    index('processing_jobs_retention_idx')
      .on(table.completedAt)
      .where(sql`${table.filesExpiredAt} is null`),
    index('processing_jobs_files_expired_idx')
      .on(table.filesExpiredAt)
      .where(sql`${table.filesExpiredAt} is not null and ${table.filesDeletedAt} is null`),
    index('processing_jobs_held_idx')
      .on(table.id)
      .where(sql`${table.creditsHeld} > 0`),
    check('processing_jobs_progress_range', sql`${table.progress} between 0 and 100`),
    check('processing_jobs_credits_held_nonnegative', sql`${table.creditsHeld} >= 0`),
  ],
);

/**
 * Purchases through a payment provider; amounts in the currency's minor unit, credits in credit-seconds. A row is
 * created `pending` by create-intent and moved only by a verified provider event (see queries/payments.ts).
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: PAYMENT_PROVIDERS }).notNull(),
    /** PaymentIntent id, Razorpay order id or PayPal order id: what every event of the payment names. */
    providerPaymentId: text('provider_payment_id').notNull(),
    /** The package sold, as it was then (packages can be re-priced later). */
    packageId: text('package_id'),
    amountMinor: integer('amount_minor').notNull(),
    currency: text('currency').notNull(),
    /** Credit-seconds the package grants once the payment succeeds. */
    creditsPurchased: integer('credits_purchased').notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull().default('pending'),
    /** The charge / Razorpay payment / PayPal capture that moved the money; refunds and disputes name it. */
    captureId: text('capture_id'),
    /** Money refunded so far, minor units (Stripe reports this as a running total, disputes apart). */
    refundedMinor: integer('refunded_minor').notNull().default(0),
    /** Money taken back by disputes (chargebacks), minor units. */
    disputedMinor: integer('disputed_minor').notNull().default(0),
    /** Credit-seconds taken back for refunds and disputes. */
    creditsReversed: integer('credits_reversed').notNull().default(0),
    /** Credit-seconds a refund should have taken back but the user had already spent. */
    creditsShortfall: integer('credits_shortfall').notNull().default(0),
    /** Why the payment is in `review` (an amount or currency that differs from the order's). */
    reviewReason: text('review_reason'),
    /** The client's Idempotency-Key for create-intent, and a fingerprint of that request. */
    idempotencyKey: text('idempotency_key'),
    requestFingerprint: text('request_fingerprint'),
    /** What create-intent returned that is safe to keep (order ids, approve links; never a client secret). */
    clientData: jsonb('client_data').$type<Record<string, string | number>>(),
    fulfilledAt: timestamp('fulfilled_at', { withTimezone: true }),
    receiptSentAt: timestamp('receipt_sent_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('payments_user_idx').on(table.userId),
    uniqueIndex('payments_provider_payment_idx').on(table.provider, table.providerPaymentId),
    index('payments_provider_capture_idx').on(table.provider, table.captureId),
    uniqueIndex('payments_user_idempotency_idx').on(table.userId, table.idempotencyKey),
    index('payments_status_created_idx').on(table.status, table.createdAt),
    check('payments_amounts_nonnegative', sql`${table.amountMinor} > 0 AND ${table.refundedMinor} >= 0`),
  ],
);

/**
 * One row per charge (a job's first download): the output seconds delivered and the credits charged, for usage
 * reports per day, feature (job type) and API key.
 */
export const usageTracking = pgTable(
  'usage_tracking',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    jobId: uuid('job_id').references(() => processingJobs.id, { onDelete: 'set null' }),
    jobType: text('job_type').notNull(),
    /**
     * The key that submitted the job (copied from it when charged, so the report survives the job's deletion);
     * null for jobs from the web app.
     */
    apiKeyId: uuid('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    audioSeconds: real('audio_seconds').notNull(),
    creditsUsed: integer('credits_used').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('usage_tracking_user_created_idx').on(table.userId, table.createdAt),
    index('usage_tracking_job_idx').on(table.jobId),
  ],
);

/**
 * Rate-limit counters shared by every API instance: one row per quota key (`auth:login:ip:…`, `jobs:submit:user:…`),
 * counting the attempts of a fixed window that starts at the key's first attempt. One atomic upsert per attempt;
 * rows whose window ended are swept now and then.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    resetsAt: timestamp('resets_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('rate_limit_counters_resets_at_idx').on(table.resetsAt)],
);

/** `payment_reversal`: credits taken back because the provider refunded the money or lost a dispute. */
export const LEDGER_KINDS = [
  'grant',
  'purchase',
  'hold',
  'hold_release',
  'charge',
  'refund',
  'adjustment',
  'payment_reversal',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * Append-only credit ledger in credit-seconds. Signed amounts: a hold is negative, its release positive.
 * The unique idempotency key makes every mutation safe to retry. Entries are never changed or removed, with one
 * exception: discardUnstartedJob moves a discarded attempt's entries to keys of their own (amounts unchanged).
 */
export const creditLedger = pgTable(
  'credit_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    jobId: uuid('job_id').references(() => processingJobs.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: LEDGER_KINDS }).notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    balanceAfter: bigint('balance_after', { mode: 'number' }).notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    description: text('description'),
    /** Who and why, for entries an admin made (`{ adminId, reason }`); null for the platform's own entries. */
    metadata: jsonb('metadata').$type<LedgerMetadata>(),
    createdAt: createdAt(),
    /** Commit order: entries of one transaction can share a timestamp, never a sequence number. */
    sequence: bigserial('sequence', { mode: 'number' }).notNull(),
  },
  (table) => [
    uniqueIndex('credit_ledger_idempotency_idx').on(table.idempotencyKey),
    index('credit_ledger_user_created_idx').on(table.userId, table.createdAt),
    index('credit_ledger_user_sequence_idx').on(table.userId, table.sequence),
    index('credit_ledger_job_idx').on(table.jobId),
  ],
);

export interface LedgerMetadata {
  /** The admin who granted or corrected credits. */
  adminId?: string;
  reason?: string;
  /** The payment a purchase or reversal belongs to. */
  paymentId?: string;
}

export const ADMIN_ACTIONS = [
  'user.suspend',
  'user.unsuspend',
  'user.tier',
  'credits.grant',
  'credits.correct',
  'mfa.enrol',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/**
 * Every admin action, append-only: a trigger (hand-written in its migration, `admin_panel`) refuses UPDATE, DELETE
 * and TRUNCATE, so not even a bug in the API can rewrite history. No foreign keys on purpose: a row must outlive the
 * accounts and jobs it names (and a cascading delete or SET NULL would be an UPDATE/DELETE the trigger refuses).
 */
export const adminAuditLog = pgTable(
  'admin_audit_log',
  {
    /** Also the order of the log (and the cursor of its pages). */
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    adminId: uuid('admin_id').notNull(),
    action: text('action', { enum: ADMIN_ACTIONS }).notNull(),
    targetUserId: uuid('target_user_id'),
    targetJobId: uuid('target_job_id'),
    /** What changed and why: `reason`, amounts, the tier before and after, the ledger entry… */
    details: jsonb('details').$type<AdminAuditDetails>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('admin_audit_log_target_user_idx').on(table.targetUserId, table.id),
    index('admin_audit_log_admin_idx').on(table.adminId, table.id),
    check(
      'admin_audit_log_action_valid',
      sql.raw(`action in (${ADMIN_ACTIONS.map((action) => `'${action}'`).join(', ')})`),
    ),
  ],
);

/** JSON details of an audit row; `reason` is required for every action on a user's account or credits. */
export interface AdminAuditDetails {
  reason?: string;
  [key: string]: unknown;
}

export type User = typeof users.$inferSelect;
export type ProcessingJob = typeof processingJobs.$inferSelect;
export type NewProcessingJob = typeof processingJobs.$inferInsert;
export type CreditLedgerEntry = typeof creditLedger.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type NewPayment = typeof payments.$inferInsert;
export type RefreshToken = typeof refreshTokens.$inferSelect;
export type UserMfa = typeof userMfa.$inferSelect;
export type AccountToken = typeof accountTokens.$inferSelect;
export type AdminAuditEntry = typeof adminAuditLog.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** The body of every delivery (Standard Webhooks' recommended shape): metadata only, never audio or text. */
export interface WebhookPayload {
  type: WebhookEventType;
  /** ISO 8601: when the event happened (not when this attempt was made). */
  timestamp: string;
  data: Record<string, string | number | boolean | null>;
}

/**
 * A user's webhook endpoints. The signing secret (`whsec_…`) must be read back to sign each delivery, so it is
 * sealed with DATA_ENCRYPTION_KEY (SecretBox, context `webhook_endpoints.secret:<id>`), never stored in clear.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: text('events').array().$type<WebhookEventType[]>().notNull(),
    secretKeyId: text('secret_key_id').notNull(),
    secretCiphertext: text('secret_ciphertext').notNull(),
    createdAt: createdAt(),
    /** Set when deliveries kept failing for the whole retry window; a disabled endpoint gets no new deliveries. */
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    /** The first failed attempt since the last success; null while the endpoint answers 2xx. */
    failingSince: timestamp('failing_since', { withTimezone: true }),
  },
  (table) => [index('webhook_endpoints_user_idx').on(table.userId)],
);

/**
 * One event to one target: an endpoint, or a job's callback_url (then `endpointId` is null). `dedupeKey` makes the
 * emitting activity safe to retry: the same event never gets two deliveries to one target.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpointId: uuid('endpoint_id').references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    eventType: text('event_type', { enum: WEBHOOK_EVENT_TYPES }).notNull(),
    /** Sent as `webhook-id`: the same for every attempt, so receivers can deduplicate. */
    eventId: text('event_id').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    payload: jsonb('payload').$type<WebhookPayload>().notNull(),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    createdAt: createdAt(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('webhook_deliveries_dedupe_idx').on(table.dedupeKey),
    index('webhook_deliveries_endpoint_created_idx').on(table.endpointId, table.createdAt),
    check('webhook_deliveries_status_valid', sql`${table.status} in ('pending', 'succeeded', 'failed')`),
  ],
);

/**
 * The per-user secret that signs deliveries to jobs' callback_url (one secret per account, so a callback URL needs
 * no registration); sealed like endpoint secrets, context `webhook_callback_secrets.secret:<userId>`.
 */
export const webhookCallbackSecrets = pgTable('webhook_callback_secrets', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretKeyId: text('secret_key_id').notNull(),
  secretCiphertext: text('secret_ciphertext').notNull(),
  createdAt: createdAt(),
});

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
