import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { EnvError, parseDataEncryptionKeys, parseEnv } from '@voice/config';

import { dataEncryptionKeyPath, resolveSecretBox, SecretBox, SecretBoxError } from '../src';

const ringEntry = (id: string): string => `${id}:${randomBytes(32).toString('base64')}`;
const CONTEXT = 'user_mfa.secret:2f0c6f9e-0000-4000-8000-000000000001';

function decryptFailure(code: SecretBoxError['code']) {
  return (error: unknown) => error instanceof SecretBoxError && error.code === code;
}

describe('SecretBox: AES-256-GCM with the key id beside each value', () => {
  const k1 = ringEntry('k1');
  const box = SecretBox.fromKeyRing(k1);

  it('opens what it sealed, and the ciphertext does not contain the plaintext', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const sealed = box.seal(secret, CONTEXT);
    assert.equal(sealed.keyId, 'k1');
    assert.ok(!sealed.ciphertext.includes(secret));
    assert.ok(!Buffer.from(sealed.ciphertext, 'base64url').toString('latin1').includes(secret));
    assert.equal(box.open(sealed, CONTEXT), secret);
  });

  it('uses a fresh IV per value: sealing the same plaintext twice gives different ciphertexts', () => {
    const a = box.seal('same', CONTEXT);
    const b = box.seal('same', CONTEXT);
    assert.notEqual(a.ciphertext, b.ciphertext);
    assert.notEqual(a.ciphertext.slice(0, 16), b.ciphertext.slice(0, 16), 'the leading IVs differ');
  });

  it('refuses a flipped ciphertext bit, another context (row) and a truncated value', () => {
    const sealed = box.seal('secret value', CONTEXT);
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    const flipped = { keyId: 'k1', ciphertext: bytes.toString('base64url') };
    assert.throws(() => box.open(flipped, CONTEXT), decryptFailure('DECRYPT_FAILED'));
    assert.throws(() => box.open(sealed, 'user_mfa.secret:someone-else'), decryptFailure('DECRYPT_FAILED'));
    assert.throws(() => box.open({ keyId: 'k1', ciphertext: 'AAAA' }, CONTEXT), decryptFailure('DECRYPT_FAILED'));
  });

  it('binds the key id: a value relabelled with another key id of the ring does not open', () => {
    const k2 = ringEntry('k2');
    const ring = SecretBox.fromKeyRing(`${k2},${k1}`);
    const sealed = ring.seal('secret value', CONTEXT);
    assert.equal(sealed.keyId, 'k2');
    assert.throws(() => ring.open({ ...sealed, keyId: 'k1' }, CONTEXT), decryptFailure('DECRYPT_FAILED'));
  });

  it('rotation: a value sealed under the old key still opens once a new current key is prepended', () => {
    const sealedWithOld = box.seal('rotate me', CONTEXT);
    const rotated = SecretBox.fromKeyRing(`${ringEntry('k2')},${k1}`);
    assert.equal(rotated.currentKeyId, 'k2');
    assert.equal(rotated.open(sealedWithOld, CONTEXT), 'rotate me');
    assert.equal(rotated.isStale(sealedWithOld), true);
    const resealed = rotated.seal('rotate me', CONTEXT);
    assert.equal(resealed.keyId, 'k2');
    assert.equal(rotated.isStale(resealed), false);
    assert.equal(box.isStale(resealed), false, 'a key this ring lacks is newer, not stale');
  });

  it('names an unknown key id instead of failing obscurely (the old key was dropped from the ring too early)', () => {
    const sealed = box.seal('x', CONTEXT);
    const withoutK1 = SecretBox.fromKeyRing(ringEntry('k2'));
    assert.throws(() => withoutK1.open(sealed, CONTEXT), decryptFailure('UNKNOWN_KEY'));
  });
});

describe('DATA_ENCRYPTION_KEY parsing', () => {
  it('reads several keys, first is current, base64 or base64url', () => {
    const key = randomBytes(32);
    const keys = parseDataEncryptionKeys(`new:${key.toString('base64url')}, old:${key.toString('base64')}`);
    assert.deepEqual(
      keys.map((entry) => entry.id),
      ['new', 'old'],
    );
    assert.ok(keys.every((entry) => entry.key.equals(key)));
  });

  it('refuses wrong key lengths, duplicate ids and missing ids without echoing the key', () => {
    const short = randomBytes(16).toString('base64');
    assert.throws(
      () => parseDataEncryptionKeys(`k1:${short}`),
      (error: unknown) => error instanceof Error && /32 bytes/.test(error.message) && !error.message.includes(short),
    );
    assert.throws(() => parseDataEncryptionKeys(`${ringEntry('k1')},${ringEntry('k1')}`), /appears twice/);
    assert.throws(() => parseDataEncryptionKeys(randomBytes(32).toString('base64')), /keyId:base64key/);
  });

  it('production without DATA_ENCRYPTION_KEY is refused with an EnvError naming it', () => {
    const base = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) };
    assert.throws(
      () => parseEnv(base),
      (error: unknown) =>
        error instanceof EnvError && error.issues.some((issue) => issue.startsWith('DATA_ENCRYPTION_KEY')),
    );
    assert.equal(parseEnv({ ...base, DATA_ENCRYPTION_KEY: ringEntry('k1') }).NODE_ENV, 'production');
    assert.throws(() => parseEnv({ ...base, DATA_ENCRYPTION_KEY: 'k1:tooshort' }), EnvError);
  });
});

describe('resolveSecretBox', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'voice-secret-box-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('outside production generates one key under DATA_DIR/secrets (0600) that later processes reuse', async () => {
    const env = { DATA_DIR: dataDir, NODE_ENV: 'development' as const, DATA_ENCRYPTION_KEY: undefined };
    const [first, second] = await Promise.all([resolveSecretBox(env), resolveSecretBox(env)]);
    const sealed = first.seal('kept across restarts', CONTEXT);
    assert.equal(second.open(sealed, CONTEXT), 'kept across restarts');
    const third = await resolveSecretBox(env);
    assert.equal(third.open(sealed, CONTEXT), 'kept across restarts');
    const file = await stat(dataEncryptionKeyPath(dataDir));
    assert.equal(file.mode & 0o777, 0o600);
    assert.match(first.currentKeyId, /^local-[0-9a-f]{8}$/);
  });

  it('prefers DATA_ENCRYPTION_KEY over the generated file', async () => {
    const box = await resolveSecretBox({
      DATA_DIR: dataDir,
      NODE_ENV: 'development',
      DATA_ENCRYPTION_KEY: ringEntry('ops'),
    });
    assert.equal(box.currentKeyId, 'ops');
  });

  it('in production without the key refuses (EnvError) and writes no key file', async () => {
    const prodDir = await mkdtemp(path.join(tmpdir(), 'voice-secret-box-prod-'));
    try {
      await assert.rejects(
        resolveSecretBox({ DATA_DIR: prodDir, NODE_ENV: 'production', DATA_ENCRYPTION_KEY: undefined }),
        EnvError,
      );
      assert.deepEqual(await readdir(prodDir), []);
    } finally {
      await rm(prodDir, { recursive: true, force: true });
    }
  });
});
