import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Shipped beside the sources (compiled code runs from dist/src/auth/password, the list stays in src): tsc copies
 * no text files, and the image keeps apps/api/src.
 */
const COMMON_PASSWORDS_FILE = path.resolve(__dirname, '../../../../src/auth/password/common-passwords.txt');

let commonPasswords: ReadonlySet<string> | undefined;

/**
 * The common-password list, read once (~50 KB); AuthService loads it at start so no request pays for the read.
 * Throws if the file is missing: a deployment without it would silently accept "password1".
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    readFileSync(COMMON_PASSWORDS_FILE, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return commonPasswords;
}

/**
 * NIST 800-63B's blocklist check, case-insensitive ("PassWord1" is as guessable as "password1"). Surrounding
 * whitespace is ignored too, so "password1 " does not slip past it.
 */
export function isCommonPassword(password: string): boolean {
  const list = loadCommonPasswords();
  const folded = password.normalize('NFKC').toLowerCase();
  return list.has(folded) || list.has(folded.trim());
}

/** Not empty once whitespace is removed: eight spaces are a length, not a secret. */
export function hasNonWhitespace(password: string): boolean {
  return password.trim() !== '';
}
