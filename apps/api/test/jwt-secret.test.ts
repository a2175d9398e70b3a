import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { jwtSecretPath } from '@voice/runtime';
import { resolveJwtSecret } from '../src/auth/jwt-secret';

describe('JWT secret resolution', () => {
  it('without JWT_SECRET, generates a secret once under DATA_DIR/secrets (mode 0600) and reuses it', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-secret-'));
    try {
      const [first, concurrent] = await Promise.all([
        resolveJwtSecret({ JWT_SECRET: undefined, DATA_DIR: dataDir }),
        resolveJwtSecret({ JWT_SECRET: undefined, DATA_DIR: dataDir }),
      ]);
      assert.deepEqual(concurrent, first, 'concurrent starts agree on one secret');
      assert.equal(first.length, 64, '48 random bytes as base64url text');
      const file = jwtSecretPath(dataDir);
      assert.equal(file, path.join(dataDir, 'secrets', 'jwt-secret'));
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const again = await resolveJwtSecret({ JWT_SECRET: undefined, DATA_DIR: dataDir });
      assert.deepEqual(again, first, 'a restart keeps the same secret');
      assert.equal(new TextDecoder().decode(first), (await readFile(file, 'utf8')).trim());
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('JWT_SECRET wins and nothing is written', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-secret-'));
    try {
      const key = await resolveJwtSecret({ JWT_SECRET: 'a'.repeat(32), DATA_DIR: dataDir });
      assert.equal(new TextDecoder().decode(key), 'a'.repeat(32));
      await assert.rejects(stat(jwtSecretPath(dataDir)), { code: 'ENOENT' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
