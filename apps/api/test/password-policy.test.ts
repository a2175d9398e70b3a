import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PASSWORD_MIN_LENGTH } from '../src/auth/dto/auth.dto';
import { hasNonWhitespace, isCommonPassword, loadCommonPasswords } from '../src/auth/password/password-policy';

describe('password policy (NIST 800-63B)', () => {
  it('ships a list of a few thousand common passwords, lowercased and none shorter than the minimum', () => {
    const list = loadCommonPasswords();
    assert.ok(list.size >= 1000, `${list.size} entries`);
    for (const entry of list) {
      assert.ok(entry.length >= PASSWORD_MIN_LENGTH, entry);
      assert.equal(entry, entry.toLowerCase());
      assert.ok(!entry.startsWith('#'), 'comment lines are not entries');
    }
  });

  it('matches common passwords case-insensitively and ignores surrounding whitespace', () => {
    for (const password of ['password', 'PASSWORD', 'Password1', '12345678', ' qwertyuiop ', 'iloveyou']) {
      assert.equal(isCommonPassword(password), true, password);
    }
    for (const password of ['correct horse battery staple', 'a few unrelated words', 'P4ss phrase of mine']) {
      assert.equal(isCommonPassword(password), false, password);
    }
  });

  it('refuses all-whitespace passwords, including Unicode spaces, but keeps spaces inside a passphrase', () => {
    assert.equal(hasNonWhitespace(' '.repeat(8)), false);
    assert.equal(hasNonWhitespace('\u00a0\u2003\t\n\u3000   '), false);
    assert.equal(hasNonWhitespace('  two words  '), true);
  });
});
