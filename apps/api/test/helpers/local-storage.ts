import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalStorage } from '@voice/storage';
import { testLocalStorage } from '@voice/testkit';

/** Local storage in a fresh temp dir (the caller removes `dir`), signing links with `signingSecret`. */
export async function tempLocalStorage(
  name: string,
  signingSecret?: string,
): Promise<{ storage: LocalStorage; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), `voice-${name}-`));
  return { storage: testLocalStorage(dir, signingSecret), dir };
}
