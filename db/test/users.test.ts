import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { createUserWithGrant, EmailTakenError, findUserByEmail, findUserById, listLedger } from '../src';
import { assertLedgerConsistent, describeEachDriver } from './support';

describeEachDriver('users', (ctx) => {
  it('createUserWithGrant stores the user and a keyed sign-up grant in the ledger', async () => {
    const email = `Grant-${randomUUID()}@Example.test`;
    const user = await createUserWithGrant(ctx.db, { email, passwordHash: 'h', name: 'Ada', grantSeconds: 600 });
    assert.equal(user.creditsBalance, 600);
    const ledger = await listLedger(ctx.db, user.id, 10);
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0]?.kind, 'grant');
    assert.equal(ledger[0]?.amount, 600);
    assert.equal(ledger[0]?.balanceAfter, 600);
    assert.equal(ledger[0]?.idempotencyKey, `grant:signup:${user.id}`);
    await assertLedgerConsistent(ctx.db, user.id);
  });

  it('a duplicate email in another case throws EmailTakenError and creates nothing', async () => {
    const email = `dup-${randomUUID()}@example.test`;
    await createUserWithGrant(ctx.db, { email, passwordHash: 'h', name: 'First', grantSeconds: 60 });
    await assert.rejects(
      createUserWithGrant(ctx.db, { email: email.toUpperCase(), passwordHash: 'h', name: 'Second', grantSeconds: 60 }),
      (error: unknown) => error instanceof EmailTakenError && error.code === 'EMAIL_TAKEN',
    );
    assert.equal((await findUserByEmail(ctx.db, email))?.name, 'First');
  });

  it('findUserByEmail is case-insensitive and findUserById finds by id', async () => {
    const email = `find-${randomUUID()}@example.test`;
    const user = await createUserWithGrant(ctx.db, { email, passwordHash: 'h', name: 'Find', grantSeconds: 0 });
    assert.equal((await findUserByEmail(ctx.db, email.toUpperCase()))?.id, user.id);
    assert.equal((await findUserById(ctx.db, user.id))?.email, email);
    assert.equal(await findUserById(ctx.db, randomUUID()), undefined);
    assert.equal(await findUserByEmail(ctx.db, `nobody-${randomUUID()}@example.test`), undefined);
    assert.deepEqual(await listLedger(ctx.db, user.id, 10), [], 'a zero grant writes no ledger entry');
  });
});
