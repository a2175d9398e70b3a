import { LocalStorage } from '@voice/storage';

/** Local storage under `root` for a test, signing links with `signingSecret` (the caller removes `root`). */
export function testLocalStorage(root: string, signingSecret = 'a-signing-secret-for-tests'): LocalStorage {
  return new LocalStorage({ root, publicBaseUrl: 'http://127.0.0.1', signingSecret, defaultTtlSeconds: 60 });
}
