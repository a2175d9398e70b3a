import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LocalStorage } from '@voice/storage';

/** Local storage in a fresh temp dir (the caller removes `dir`), signing links with `signingSecret`. */
export async function tempLocalStorage(
  name: string,
  signingSecret = 'a-signing-secret-for-tests',
): Promise<{ storage: LocalStorage; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), `voice-${name}-`));
  const storage = new LocalStorage({
    root: dir,
    publicBaseUrl: 'http://127.0.0.1',
    signingSecret,
    defaultTtlSeconds: 60,
  });
  return { storage, dir };
}
