import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import {
  IdempotencyKeyConflictError,
  InsufficientCreditsError,
  UserNotFoundError,
  adjustCreditsAsAdmin,
  adminAuditLog,
  consumeRefreshToken,
  creditLedger,
  findAccountState,
  findUserById,
  insertAdminAudit,
  insertRefreshToken,
  listAdminAudit,
  listAllJobs,
  processingJobs,
  searchUsers,
  setSubscriptionTier,
  suspendUser,
  unsuspendUser,
  users,
} from '../src';
import { assertLedgerConsistent, describeEachDriver, makeJob, makeUser } from './support';

/** drizzle wraps driver errors ("Failed query: …"); the database's own message is the cause. */
function refusedWith(pattern: RegExp) {
  return (error: unknown): boolean => {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
    assert.match(`${error instanceof Error ? error.message : String(error)} ${cause}`, pattern);
    return true;
  };
}

describeEachDriver('admin actions and the audit log', (ctx) => {
  const auditRowsFor = (userId: string) =>
    ctx.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetUserId, userId)).orderBy(adminAuditLog.id);

  it('the audit log refuses UPDATE, DELETE and TRUNCATE, and keeps the row', async () => {
    const admin = await makeUser(ctx.db);
    const row = await insertAdminAudit(ctx.db, {
      adminId: admin.id,
      action: 'user.tier',
      targetUserId: admin.id,
      details: { reason: 'kept forever' },
    });
    await assert.rejects(
      ctx.db
        .update(adminAuditLog)
        .set({ details: { reason: 'rewritten' } })
        .where(eq(adminAuditLog.id, row.id)),
      refusedWith(/append-only: UPDATE refused/),
    );
    await assert.rejects(
      ctx.db.delete(adminAuditLog).where(eq(adminAuditLog.id, row.id)),
      refusedWith(/append-only: DELETE refused/),
    );
    await assert.rejects(ctx.db.execute(sql`truncate admin_audit_log`), refusedWith(/append-only: TRUNCATE refused/));
    const [kept] = await ctx.db.select().from(adminAuditLog).where(eq(adminAuditLog.id, row.id));
    assert.deepEqual(kept?.details, { reason: 'kept forever' });
  });

  it('the audit log refuses an unknown action, and users an unknown tier', async () => {
    const admin = await makeUser(ctx.db);
    await assert.rejects(
      ctx.db.execute(
        sql`insert into admin_audit_log (admin_id, action, details) values (${admin.id}, 'user.delete', '{}'::jsonb)`,
      ),
    );
    await assert.rejects(ctx.db.execute(sql`update users set subscription_tier = 'gold' where id = ${admin.id}`));
    assert.equal((await findUserById(ctx.db, admin.id))?.subscriptionTier, 'free', 'new accounts are free');
  });

  it('suspending revokes every refresh token and writes one audit row; a second suspend changes nothing', async () => {
    const admin = await makeUser(ctx.db);
    const user = await makeUser(ctx.db);
    const hashes = [randomUUID(), randomUUID()];
    for (const tokenHash of hashes) {
      await insertRefreshToken(ctx.db, {
        userId: user.id,
        familyId: randomUUID(),
        tokenHash,
        expiresAt: new Date(Date.now() + 3_600_000),
      });
    }
    const suspended = await suspendUser(ctx.db, { adminId: admin.id, userId: user.id, reason: 'chargeback fraud' });
    assert.equal(suspended.changed, true);
    assert.equal(suspended.revokedRefreshTokens, 2);
    assert.ok(suspended.user.suspendedAt);
    for (const tokenHash of hashes) {
      assert.equal((await consumeRefreshToken(ctx.db, tokenHash, new Date())).status, 'revoked');
    }
    assert.ok((await findAccountState(ctx.db, user.id))?.suspendedAt, 'the guard sees the suspension');

    const again = await suspendUser(ctx.db, { adminId: admin.id, userId: user.id, reason: 'twice' });
    assert.equal(again.changed, false);
    const rows = await auditRowsFor(user.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.action, 'user.suspend');
    assert.equal(rows[0]?.adminId, admin.id);
    assert.deepEqual(rows[0]?.details, { reason: 'chargeback fraud', revokedRefreshTokens: 2, revokedApiKeys: 0 });

    const lifted = await unsuspendUser(ctx.db, { adminId: admin.id, userId: user.id, reason: 'resolved' });
    assert.equal(lifted.changed, true);
    assert.equal(lifted.user.suspendedAt, null);
    assert.deepEqual(
      (await auditRowsFor(user.id)).map((row) => [row.action, row.details.reason]),
      [
        ['user.suspend', 'chargeback fraud'],
        ['user.unsuspend', 'resolved'],
      ],
    );
    await assert.rejects(
      suspendUser(ctx.db, { adminId: admin.id, userId: randomUUID(), reason: 'x' }),
      UserNotFoundError,
    );
  });

  it('a tier change records from and to; setting the same tier writes nothing', async () => {
    const admin = await makeUser(ctx.db);
    const user = await makeUser(ctx.db);
    const changed = await setSubscriptionTier(ctx.db, {
      adminId: admin.id,
      userId: user.id,
      tier: 'premium',
      reason: 'annual plan',
    });
    assert.equal(changed.user.subscriptionTier, 'premium');
    const same = await setSubscriptionTier(ctx.db, {
      adminId: admin.id,
      userId: user.id,
      tier: 'premium',
      reason: 'x',
    });
    assert.equal(same.changed, false);
    const rows = await auditRowsFor(user.id);
    assert.deepEqual(
      rows.map((row) => row.details),
      [{ reason: 'annual plan', from: 'free', to: 'premium' }],
    );
  });

  it('an admin grant goes through the ledger once per key, with the admin and reason in its metadata', async () => {
    const admin = await makeUser(ctx.db);
    const user = await makeUser(ctx.db, 60);
    const args = {
      adminId: admin.id,
      userId: user.id,
      kind: 'grant' as const,
      amount: 600,
      reason: 'outage compensation',
      idempotencyKey: `admin-credits:${admin.id}:${randomUUID()}`,
    };
    const [first, second] = await Promise.all([adjustCreditsAsAdmin(ctx.db, args), adjustCreditsAsAdmin(ctx.db, args)]);
    assert.deepEqual([first.replayed, second.replayed].sort(), [false, true], 'one of two concurrent submits grants');
    assert.equal(first.balance, 660);
    assert.equal(second.balance, 660);
    const entries = await ctx.db
      .select()
      .from(creditLedger)
      .where(eq(creditLedger.idempotencyKey, args.idempotencyKey));
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.kind, 'grant');
    assert.deepEqual(entries[0]?.metadata, { adminId: admin.id, reason: 'outage compensation' });
    const rows = await auditRowsFor(user.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.action, 'credits.grant');
    assert.deepEqual(rows[0]?.details, {
      reason: 'outage compensation',
      amount: 600,
      ledgerEntryId: entries[0]?.id,
      balanceAfter: 660,
    });
    await assert.rejects(adjustCreditsAsAdmin(ctx.db, { ...args, amount: 601 }), IdempotencyKeyConflictError);
    await assertLedgerConsistent(ctx.db, user.id);
  });

  it('a correction may take credits away but never below zero, and a refused one writes nothing', async () => {
    const admin = await makeUser(ctx.db);
    const user = await makeUser(ctx.db, 100);
    const correct = (amount: number) =>
      adjustCreditsAsAdmin(ctx.db, {
        adminId: admin.id,
        userId: user.id,
        kind: 'correction',
        amount,
        reason: 'duplicate grant',
        idempotencyKey: `admin-credits:${admin.id}:${randomUUID()}`,
      });
    await assert.rejects(correct(-101), InsufficientCreditsError);
    assert.equal((await auditRowsFor(user.id)).length, 0);
    const done = await correct(-100);
    assert.equal(done.balance, 0);
    const [row] = await auditRowsFor(user.id);
    assert.equal(row?.action, 'credits.correct');
    assert.equal(row?.details['amount'], -100);
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 0, held: 0 });
  });

  it('user search matches part of an email or name, a whole id, and treats % and _ literally', async () => {
    const marker = randomUUID().slice(0, 8);
    const [ada] = await ctx.db
      .insert(users)
      .values({ email: `ada_${marker}@example.test`, passwordHash: 'x', name: `Ada ${marker}` })
      .returning();
    await ctx.db
      .insert(users)
      .values({ email: `adax${marker}@example.test`, passwordHash: 'x', name: `Bob ${marker}` })
      .returning();
    assert.ok(ada);
    const byEmail = await searchUsers(ctx.db, { query: `ADA_${marker}`, limit: 10, offset: 0 });
    assert.deepEqual(
      byEmail.items.map((user) => user.id),
      [ada.id],
      '_ is not a wildcard',
    );
    assert.equal((await searchUsers(ctx.db, { query: marker, limit: 10, offset: 0 })).total, 2);
    assert.equal((await searchUsers(ctx.db, { query: marker, limit: 1, offset: 1 })).items.length, 1);
    assert.deepEqual(
      (await searchUsers(ctx.db, { query: ada.id.toUpperCase(), limit: 10, offset: 0 })).items.map((u) => u.id),
      [ada.id],
    );
    assert.equal((await searchUsers(ctx.db, { query: `%${marker}`, limit: 10, offset: 0 })).total, 0);
  });

  it('all jobs filter by owner, email, step, status and creation time', async () => {
    const owner = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const early = await makeJob(ctx.db, owner.id, { jobType: 'denoise+dub', status: 'completed' });
    await ctx.db
      .update(processingJobs)
      .set({ createdAt: new Date('2020-01-01T00:00:00Z') })
      .where(eq(processingJobs.id, early.id));
    const late = await makeJob(ctx.db, owner.id, { jobType: 'stt', status: 'failed' });
    await makeJob(ctx.db, other.id, { jobType: 'denoise' });

    const mine = await listAllJobs(ctx.db, { limit: 10, offset: 0, userId: owner.id });
    assert.deepEqual(
      mine.items.map((job) => job.id),
      [late.id, early.id],
      'newest first',
    );
    assert.equal(mine.items[0]?.userEmail, owner.email);
    assert.equal(mine.items[0]?.userTier, 'free');
    const byEmail = await listAllJobs(ctx.db, { limit: 10, offset: 0, email: owner.email.slice(0, 20).toUpperCase() });
    assert.equal(byEmail.total, 2);
    const dub = await listAllJobs(ctx.db, { limit: 10, offset: 0, userId: owner.id, step: 'dub' });
    assert.deepEqual(
      dub.items.map((job) => job.id),
      [early.id],
    );
    const failed = await listAllJobs(ctx.db, { limit: 10, offset: 0, userId: owner.id, status: 'failed' });
    assert.deepEqual(
      failed.items.map((job) => job.id),
      [late.id],
    );
    const before2021 = await listAllJobs(ctx.db, {
      limit: 10,
      offset: 0,
      userId: owner.id,
      createdTo: new Date('2021-01-01T00:00:00Z'),
    });
    assert.deepEqual(
      before2021.items.map((job) => job.id),
      [early.id],
    );
    const since2021 = await listAllJobs(ctx.db, {
      limit: 10,
      offset: 0,
      userId: owner.id,
      createdFrom: new Date('2021-01-01T00:00:00Z'),
    });
    assert.deepEqual(
      since2021.items.map((job) => job.id),
      [late.id],
    );
  });

  it('the audit log pages newest first with the emails of admin and target', async () => {
    const admin = await makeUser(ctx.db);
    const user = await makeUser(ctx.db);
    for (const reason of ['one', 'two', 'three']) {
      await insertAdminAudit(ctx.db, {
        adminId: admin.id,
        action: 'user.tier',
        targetUserId: user.id,
        details: { reason },
      });
    }
    const first = await listAdminAudit(ctx.db, { limit: 2, targetUserId: user.id });
    assert.deepEqual(
      first.items.map((row) => row.details.reason),
      ['three', 'two'],
    );
    assert.equal(first.items[0]?.adminEmail, admin.email);
    assert.equal(first.items[0]?.targetEmail, user.email);
    assert.ok(first.nextCursor !== null);
    const second = await listAdminAudit(ctx.db, { limit: 2, targetUserId: user.id, before: first.nextCursor });
    assert.deepEqual(
      second.items.map((row) => row.details.reason),
      ['one'],
    );
    assert.equal(second.nextCursor, null);
    assert.equal(
      (await listAdminAudit(ctx.db, { limit: 10, adminId: admin.id, action: 'user.suspend' })).items.length,
      0,
    );
  });
});
