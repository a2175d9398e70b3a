import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EnvError, type Env } from '@voice/config';

const SECRET_BYTES = 48;
const DATA_KEY_BYTES = 32;

/** Where the generated development secret lives: `<DATA_DIR>/secrets/jwt-secret`. */
export function jwtSecretPath(dataDir: string): string {
  return path.join(dataDir, 'secrets', 'jwt-secret');
}

/**
 * The HS256 key for access tokens and local signed URLs, as text: JWT_SECRET, or, when it is unset
 * (development only: config refuses production without it), a generated secret persisted under DATA_DIR so
 * restarts keep sessions and links valid. Every process reading the file derives the same key.
 */
export async function resolveSigningSecret(env: Pick<Env, 'JWT_SECRET' | 'DATA_DIR'>): Promise<string> {
  return (
    env.JWT_SECRET ??
    (await loadOrCreateSecretFile(jwtSecretPath(env.DATA_DIR), () => randomBytes(SECRET_BYTES).toString('base64url')))
  );
}

/** Where the generated development data-encryption key ring lives: `<DATA_DIR>/secrets/data-encryption-key`. */
export function dataEncryptionKeyPath(dataDir: string): string {
  return path.join(dataDir, 'secrets', 'data-encryption-key');
}

/**
 * The DATA_ENCRYPTION_KEY ring as text (`keyId:base64key[,…]`): the variable, or, outside production, one key
 * generated under DATA_DIR like the JWT secret, so every process of an embedded setup seals and opens alike.
 * Production without the variable is refused here too, for callers that built their env by hand.
 */
export async function resolveDataEncryptionKeys(
  env: Pick<Env, 'DATA_ENCRYPTION_KEY' | 'DATA_DIR' | 'NODE_ENV'>,
): Promise<string> {
  if (env.DATA_ENCRYPTION_KEY) return env.DATA_ENCRYPTION_KEY;
  if (env.NODE_ENV === 'production') throw new EnvError(['DATA_ENCRYPTION_KEY: required in production']);
  // A random id, so a ring that later names this key explicitly cannot confuse it with another "k1".
  return loadOrCreateSecretFile(
    dataEncryptionKeyPath(env.DATA_DIR),
    () => `local-${randomBytes(4).toString('hex')}:${randomBytes(DATA_KEY_BYTES).toString('base64')}`,
  );
}

async function loadOrCreateSecretFile(file: string, generate: () => string): Promise<string> {
  const existing = await readSecret(file);
  if (existing) return existing;

  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Write a private temp file, then link() it into place: link fails if another process (a worker, a
  // second API) won the race, and nobody ever reads a half-written secret.
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temp, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(temp, file);
  } catch (error) {
    if (!isErrnoException(error) || error.code !== 'EEXIST') throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
  const created = await readSecret(file);
  if (!created) throw new Error(`Secret file ${file} is empty`);
  return created;
}

async function readSecret(file: string): Promise<string | undefined> {
  try {
    const text = (await fs.readFile(file, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
