import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { eq } from 'drizzle-orm';
import {
  accountTokens,
  consumeAccountToken,
  consumeRefreshToken,
  findUserById,
  insertRefreshToken,
  issueAccountToken,
  resetPasswordWithToken,
  verifyEmailWithToken,
  type AccountTokenPurpose,
} from '../src';
import { describeEachDriver, makeUser } from './support';

const HOUR = 3_600_000;

describeEachDriver('account tokens (verification and reset links)', (ctx) => {
  async function issue(userId: string, purpose: AccountTokenPurpose, expiresAt = new Date(Date.now() + HOUR)) {
    const tokenHash = `hash-${randomUUID()}`;
    await issueAccountToken(ctx.db, { userId, purpose, tokenHash, expiresAt });
    return tokenHash;
  }

  async function refreshToken(userId: string) {
    const tokenHash = `refresh-${randomUUID()}`;
    await insertRefreshToken(ctx.db, {
      userId,
      familyId: randomUUID(),
      tokenHash,
      expiresAt: new Date(Date.now() + HOUR),
    });
    return tokenHash;
  }

  it('a live token is used once: ok, then used; an unknown or other-purpose hash is unknown', async () => {
    const user = await makeUser(ctx.db);
    const tokenHash = await issue(user.id, 'verify_email');
    const first = await consumeAccountToken(ctx.db, { purpose: 'verify_email', tokenHash, now: new Date() });
    assert.equal(first.status, 'ok');
    assert.ok(first.status === 'ok' && first.token.userId === user.id && first.token.usedAt);
    assert.equal(
      (await consumeAccountToken(ctx.db, { purpose: 'verify_email', tokenHash, now: new Date() })).status,
      'used',
    );
    const other = await issue(user.id, 'verify_email');
    assert.equal(
      (await consumeAccountToken(ctx.db, { purpose: 'reset_password', tokenHash: other, now: new Date() })).status,
      'unknown',
      'a verification token is no reset token',
    );
    assert.equal(
      (await consumeAccountToken(ctx.db, { purpose: 'verify_email', tokenHash: 'nope', now: new Date() })).status,
      'unknown',
    );
  });

  it('an expired token is refused and stays unused', async () => {
    const user = await makeUser(ctx.db);
    const tokenHash = await issue(user.id, 'reset_password', new Date(Date.now() - 1000));
    assert.equal(
      (await consumeAccountToken(ctx.db, { purpose: 'reset_password', tokenHash, now: new Date() })).status,
      'expired',
    );
    const [row] = await ctx.db.select().from(accountTokens).where(eq(accountTokens.tokenHash, tokenHash));
    assert.equal(row?.usedAt, null);
  });

  it('two concurrent uses of one token yield exactly one ok', async () => {
    const user = await makeUser(ctx.db);
    for (let round = 0; round < 5; round++) {
      const tokenHash = await issue(user.id, 'reset_password');
      const now = new Date();
      const results = await Promise.all([
        consumeAccountToken(ctx.db, { purpose: 'reset_password', tokenHash, now }),
        consumeAccountToken(ctx.db, { purpose: 'reset_password', tokenHash, now }),
      ]);
      assert.deepEqual(results.map((result) => result.status).sort(), ['ok', 'used']);
    }
  });

  it('issuing a token retires the earlier unused ones of that user and purpose only', async () => {
    const user = await makeUser(ctx.db);
    const someoneElse = await makeUser(ctx.db);
    const older = await issue(user.id, 'verify_email');
    const reset = await issue(user.id, 'reset_password');
    const othersToken = await issue(someoneElse.id, 'verify_email');
    const newer = await issue(user.id, 'verify_email');
    const use = (purpose: AccountTokenPurpose, tokenHash: string) =>
      consumeAccountToken(ctx.db, { purpose, tokenHash, now: new Date() }).then((result) => result.status);
    assert.equal(await use('verify_email', older), 'used');
    assert.equal(await use('verify_email', newer), 'ok');
    assert.equal(await use('reset_password', reset), 'ok');
    assert.equal(await use('verify_email', othersToken), 'ok');
  });

  it('verifyEmailWithToken marks the email verified once; a later use changes nothing', async () => {
    const user = await makeUser(ctx.db);
    assert.equal(user.emailVerifiedAt, null, 'new accounts start unverified');
    const tokenHash = await issue(user.id, 'verify_email');
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    assert.equal((await verifyEmailWithToken(ctx.db, { tokenHash, now })).status, 'ok');
    assert.equal((await findUserById(ctx.db, user.id))?.emailVerifiedAt?.getTime(), now.getTime());
    assert.equal(
      (await verifyEmailWithToken(ctx.db, { tokenHash, now: new Date(now.getTime() + HOUR) })).status,
      'used',
    );
    assert.equal((await findUserById(ctx.db, user.id))?.emailVerifiedAt?.getTime(), now.getTime());
  });

  it('resetPasswordWithToken sets the hash, revokes every refresh token of the user and retires other reset links', async () => {
    const user = await makeUser(ctx.db);
    const bystander = await makeUser(ctx.db);
    const sessions = [await refreshToken(user.id), await refreshToken(user.id)];
    const bystanderSession = await refreshToken(bystander.id);
    const verification = await issue(user.id, 'verify_email');
    const tokenHash = await issue(user.id, 'reset_password');

    const result = await resetPasswordWithToken(ctx.db, { tokenHash, passwordHash: 'new-hash', now: new Date() });
    assert.equal(result.status, 'ok');
    assert.equal(result.revokedRefreshTokens, 2);
    const changed = await findUserById(ctx.db, user.id);
    assert.equal(changed?.passwordHash, 'new-hash');
    assert.ok(changed?.emailVerifiedAt, 'using the mailed link proved the mailbox');
    for (const session of sessions) {
      assert.equal((await consumeRefreshToken(ctx.db, session, new Date())).status, 'revoked');
    }
    assert.equal((await consumeRefreshToken(ctx.db, bystanderSession, new Date())).status, 'ok');
    assert.equal((await findUserById(ctx.db, bystander.id))?.passwordHash, bystander.passwordHash);
    assert.equal(
      (await consumeAccountToken(ctx.db, { purpose: 'verify_email', tokenHash: verification, now: new Date() })).status,
      'ok',
      'a reset leaves verification links alone',
    );

    const again = await resetPasswordWithToken(ctx.db, { tokenHash, passwordHash: 'other-hash', now: new Date() });
    assert.equal(again.status, 'used');
    assert.equal((await findUserById(ctx.db, user.id))?.passwordHash, 'new-hash');
  });

  it('a refused reset (expired token) changes neither the password nor the sessions', async () => {
    const user = await makeUser(ctx.db);
    const session = await refreshToken(user.id);
    const tokenHash = await issue(user.id, 'reset_password', new Date(Date.now() - 1));
    const result = await resetPasswordWithToken(ctx.db, { tokenHash, passwordHash: 'new-hash', now: new Date() });
    assert.equal(result.status, 'expired');
    assert.equal((await findUserById(ctx.db, user.id))?.passwordHash, user.passwordHash);
    assert.equal((await consumeRefreshToken(ctx.db, session, new Date())).status, 'ok');
  });
});
