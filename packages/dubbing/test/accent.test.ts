import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { ACCENTS, UnsupportedAccentError, accentVoiceFor, groupWordsIntoPhrases } from '../src/index';

describe('accentVoiceFor', () => {
  it('maps accent names, aliases and BCP-47 tags to espeak-ng variants', () => {
    const cases: Array<[string, string, string]> = [
      ['Scottish', 'en-gb-scotland', 'scottish'],
      ['Received Pronunciation', 'en-gb-x-rp', 'received-pronunciation'],
      ['RP', 'en-gb-x-rp', 'received-pronunciation'],
      ['british', 'en-gb', 'british'],
      ['en-GB', 'en-gb', 'british'],
      ['caribbean', 'en-029', 'caribbean'],
      ['Jamaican', 'en-029', 'caribbean'],
      ['Latin American', 'es-419', 'latin-american'],
    ];
    for (const [name, voiceId, accent] of cases) {
      const voice = accentVoiceFor(name);
      assert.equal(voice.modelId, 'espeak-ng', name);
      assert.equal(voice.voiceId, voiceId, name);
      assert.equal(voice.accent, accent, name);
    }
  });

  it('prefers the neural Piper voice for American English and falls back to espeak-ng without it', () => {
    assert.deepEqual(
      { modelId: accentVoiceFor('American').modelId, voiceId: accentVoiceFor('American').voiceId },
      { modelId: 'piper-en-us-joe-medium', voiceId: 'joe' },
    );
    const fallback = accentVoiceFor('en-US', { isAvailable: (id) => id !== 'piper-en-us-joe-medium' });
    assert.equal(fallback.modelId, 'espeak-ng');
    assert.equal(fallback.voiceId, 'en-us');
    assert.equal(fallback.language, 'en-US');
  });

  it('rejects accents without a voice here, listing the supported ones', () => {
    for (const name of ['irish', 'Indian', 'klingon']) {
      assert.throws(
        () => accentVoiceFor(name),
        (e: unknown) =>
          e instanceof UnsupportedAccentError &&
          e.code === 'UNSUPPORTED_ACCENT' &&
          /supported accents: .*american.*scottish/.test(e.message),
      );
    }
  });

  it('names only voices that this machine’s espeak-ng has', (t) => {
    const listing = spawnSync('espeak-ng', ['--voices'], { encoding: 'utf8' });
    if (listing.status !== 0) {
      if (process.env.CI) assert.fail('espeak-ng is not installed');
      return t.skip('espeak-ng is not installed: apt-get install espeak-ng');
    }
    const installed = new Set(listing.stdout.split('\n').map((line) => line.trim().split(/\s+/)[1]?.toLowerCase()));
    for (const accent of ACCENTS) {
      for (const voice of accent.voices.filter((v) => v.modelId === 'espeak-ng')) {
        assert.ok(installed.has(voice.voiceId), `${accent.id}: espeak-ng voice ${voice.voiceId} is missing`);
      }
    }
  });
});

describe('groupWordsIntoPhrases', () => {
  it('splits at pauses and at the phrase length limit, keeping word times', () => {
    const words = [
      { word: 'hello', start: 0.5, end: 0.9 },
      { word: 'there', start: 0.95, end: 1.3 },
      { word: 'how', start: 2.0, end: 2.2 },
      { word: 'are', start: 2.25, end: 2.4 },
      { word: 'you', start: 2.45, end: 2.7 },
      { word: ' ', start: 2.8, end: 2.9 },
    ];
    assert.deepEqual(groupWordsIntoPhrases(words), [
      { start: 0.5, end: 1.3, text: 'hello there' },
      { start: 2.0, end: 2.7, text: 'how are you' },
    ]);
    const long = Array.from({ length: 30 }, (_, i) => ({ word: `w${i}`, start: i * 0.5, end: i * 0.5 + 0.45 }));
    const phrases = groupWordsIntoPhrases(long, { maxPhraseSeconds: 4 });
    assert.ok(phrases.length >= 3);
    assert.ok(
      phrases.every((p) => p.end - p.start <= 4.5),
      JSON.stringify(phrases),
    );
    assert.equal(phrases.map((p) => p.text).join(' '), long.map((w) => w.word).join(' '));
  });
});
