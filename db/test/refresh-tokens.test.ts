import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { consumeRefreshToken, insertRefreshToken, revokeFamily, revokeToken } from '../src';
import { describeEachDriver, makeUser } from './support';

const HOUR = 3_600_000;

describeEachDriver('refresh tokens', (ctx) => {
  async function issue(userId: string, familyId = randomUUID(), expiresAt = new Date(Date.now() + HOUR)) {
    const tokenHash = `hash-${randomUUID()}`;
    await insertRefreshToken(ctx.db, { userId, familyId, tokenHash, expiresAt });
    return { tokenHash, familyId };
  }

  it('a live token is consumed once: ok, then reused', async () => {
    const user = await makeUser(ctx.db);
    const { tokenHash, familyId } = await issue(user.id);
    const first = await consumeRefreshToken(ctx.db, tokenHash, new Date());
    assert.equal(first.status, 'ok');
    assert.ok(first.status === 'ok' && first.token.usedAt);
    const second = await consumeRefreshToken(ctx.db, tokenHash, new Date());
    assert.equal(second.status, 'reused');
    assert.ok(second.status === 'reused' && second.token.familyId === familyId && second.token.userId === user.id);
  });

  it('two concurrent consumes of one token yield exactly one ok', async () => {
    const user = await makeUser(ctx.db);
    for (let round = 0; round < 5; round++) {
      const { tokenHash } = await issue(user.id);
      const now = new Date();
      const results = await Promise.all([
        consumeRefreshToken(ctx.db, tokenHash, now),
        consumeRefreshToken(ctx.db, tokenHash, now),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['ok', 'reused']);
    }
  });

  it('reuse detection then revokeFamily kills every token of the family, and only that family', async () => {
    const user = await makeUser(ctx.db);
    const stolen = await issue(user.id);
    assert.equal((await consumeRefreshToken(ctx.db, stolen.tokenHash, new Date())).status, 'ok');
    const rotated = await issue(user.id, stolen.familyId);
    const otherLogin = await issue(user.id);

    const replay = await consumeRefreshToken(ctx.db, stolen.tokenHash, new Date());
    assert.equal(replay.status, 'reused');
    assert.equal(await revokeFamily(ctx.db, stolen.familyId, new Date()), 2);
    assert.equal((await consumeRefreshToken(ctx.db, rotated.tokenHash, new Date())).status, 'revoked');
    assert.equal((await consumeRefreshToken(ctx.db, otherLogin.tokenHash, new Date())).status, 'ok');
  });

  it('expired, revoked and unknown tokens are refused', async () => {
    const user = await makeUser(ctx.db);
    const expired = await issue(user.id, randomUUID(), new Date(Date.now() - 1000));
    assert.deepEqual(await consumeRefreshToken(ctx.db, expired.tokenHash, new Date()), { status: 'expired' });

    const revoked = await issue(user.id);
    assert.equal(await revokeToken(ctx.db, revoked.tokenHash), true);
    assert.equal(await revokeToken(ctx.db, revoked.tokenHash), false, 'revoking twice is a no-op');
    assert.deepEqual(await consumeRefreshToken(ctx.db, revoked.tokenHash, new Date()), { status: 'revoked' });

    assert.deepEqual(await consumeRefreshToken(ctx.db, `hash-${randomUUID()}`, new Date()), { status: 'unknown' });
  });
});
