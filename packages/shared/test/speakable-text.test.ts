import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countWords, hasSpeakableContent, speakableText } from '../src';

describe('speakableText', () => {
  test('removes C0 and C1 control characters, keeping line breaks and turning tabs into spaces', () => {
    assert.equal(speakableText('a\u0000b\u0007c\u001bd\u007fe\u0080f\u009bg'), 'abcdefg');
    assert.equal(speakableText('one\ttwo\vthree\ffour'), 'one two three four');
    // A blank line ends a paragraph for the sentence splitter, so line breaks survive (normalised to \n).
    assert.equal(
      speakableText('Title\r\n\r\nBody one.\rBody two.\u2028End\u0085.'),
      'Title\n\nBody one.\nBody two.\nEnd\n.',
    );
    assert.equal(speakableText('\ufeffHello'), 'Hello');
  });

  test('drops emoji with their modifiers, selectors, joiners, keycaps and flags', () => {
    assert.equal(speakableText('Hello 👋 there'), 'Hello there');
    assert.equal(speakableText('I ❤️ you'), 'I you');
    assert.equal(speakableText('Thumbs 👍🏽 up'), 'Thumbs up');
    assert.equal(speakableText('Family 👨‍👩‍👧‍👦 photo'), 'Family photo');
    assert.equal(speakableText('Go 🇫🇷 now'), 'Go now');
    assert.equal(speakableText('England 🏴󠁧󠁢󠁥󠁮󠁧󠁿 flag'), 'England flag');
    // A keycap keeps its digit: "1️⃣" is read as "1".
    assert.equal(speakableText('Press 1️⃣ to continue'), 'Press 1 to continue');
    assert.equal(speakableText('Nice😀work'), 'Nice work');
    // Pictographs that end a sentence keep their punctuation.
    assert.equal(speakableText('Wow‼ Really⁉'), 'Wow!! Really?!');
  });

  test('leaves ordinary text alone, including a joiner inside an Indic word and accents', () => {
    for (const text of [
      'The quick brown fox.',
      'Ça va, señor? Ünïcödé',
      '\u0915\u094d\u200d\u0937',
      'こんにちは、世界。',
      'x = 3 + 4 * 2',
    ]) {
      assert.equal(speakableText(text), text);
    }
  });

  test('removes lone surrogates, which an engine would receive as U+FFFD', () => {
    assert.equal(speakableText('a\ud83db\udc00c'), 'abc');
  });

  test('is idempotent', () => {
    for (const text of ['Hello 👋 there,\u0007 how are ❤️ you\ttoday?', ' \u200d\ufe0f ', 'a\r\n\r\nb']) {
      assert.equal(speakableText(speakableText(text)), speakableText(text));
    }
  });

  test('text of only emoji, symbols or control characters has nothing speakable left', () => {
    for (const text of ['😀🎉', '👨‍👩‍👧 🇫🇷', '\u0007\u0001\u009b', ' \u200d\ufe0f ', '!!!', '']) {
      assert.equal(hasSpeakableContent(speakableText(text)), false, JSON.stringify(text));
    }
    assert.equal(hasSpeakableContent(speakableText('🎉 2024 🎉')), true);
  });

  test('countWords counts words by Unicode rules, not punctuation or emoji', () => {
    assert.equal(countWords('hi'), 1);
    assert.equal(countWords('Good morning, everyone.'), 3);
    assert.equal(countWords("It's 3 o'clock!"), 3);
    assert.equal(countWords('... !!'), 0);
  });
});
