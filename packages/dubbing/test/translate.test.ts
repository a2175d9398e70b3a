import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  DEFAULT_APERTIUM_MODES_DIR,
  TranslationEngineError,
  UnsupportedLanguagePairError,
  listTranslationPairs,
  translate,
} from '../src/index';

const apertiumInstalled =
  spawnSync('sh', ['-c', 'command -v apertium'], { stdio: 'ignore' }).status === 0 &&
  existsSync(`${DEFAULT_APERTIUM_MODES_DIR}/eng-spa.mode`);
// CI installs apertium-eng-spa (see .ci/run), so a missing engine there is a failure, not a skip.
const skip =
  apertiumInstalled || process.env.CI
    ? false
    : 'apertium is not installed: apt-get install apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en';

const words = (text: string): string[] => text.toLowerCase().match(/\p{L}+/gu) ?? [];

describe('listTranslationPairs', { skip }, () => {
  it('lists the installed Debian directions as BCP-47 pairs with their Apertium modes', async () => {
    const pairs = await listTranslationPairs();
    assert.deepEqual(
      pairs.find((p) => p.source === 'en' && p.target === 'es'),
      { source: 'en', target: 'es', mode: 'eng-spa' },
    );
    // Variant and debug modes (eng-cat_valencia, en-eo-bytecode) are not separate languages.
    assert.ok(
      pairs.every((p) => /^[a-z]{2,3}-[a-z]{2,3}$/.test(p.mode)),
      JSON.stringify(pairs),
    );
    assert.equal(new Set(pairs.map((p) => `${p.source}-${p.target}`)).size, pairs.length);
  });

  it('returns nothing for a machine without Apertium data', async () => {
    assert.deepEqual(await listTranslationPairs({ modesDir: '/nonexistent/apertium/modes' }), []);
  });
});

describe('translate', { skip }, () => {
  it('translates English text to Spanish (dog → perro, house → casa, apples → manzanas)', async () => {
    const result = await translate({
      text: 'The dog is in the house. I like green apples.',
      source: 'en',
      target: 'es',
    });
    assert.equal(result.engine, 'apertium');
    assert.equal(result.mode, 'eng-spa');
    const out = words(result.text);
    for (const expected of ['el', 'perro', 'casa', 'manzanas', 'verdes'])
      assert.ok(out.includes(expected), result.text);
    for (const english of ['dog', 'house', 'apples']) assert.ok(!out.includes(english), result.text);
  });

  it('keeps segment count, order and times, leaves empty segments empty, and drops unknown-word marks', async () => {
    const sources = [
      'The dog sleeps.',
      '',
      'and the cat eats fish',
      'Where is the house?',
      '   ',
      'Zorblax went to the market.',
      'The children\nplay in the garden.',
      'Thank you very much.',
    ];
    const segments = sources.map((text, i) => ({ start: i * 2, end: i * 2 + 1.5, text }));
    const result = await translate({ segments, source: 'en-US', target: 'es-ES' });
    assert.equal(result.segments.length, segments.length);
    result.segments.forEach((s, i) => {
      assert.equal(s.start, segments[i]!.start);
      assert.equal(s.end, segments[i]!.end);
      assert.equal(s.sourceText, sources[i]);
    });
    const [dog, empty, cat, house, blank, unknown, children, thanks] = result.segments.map((s) => s.text);
    assert.equal(empty, '');
    assert.equal(blank, '');
    assert.ok(words(dog!).includes('perro'), dog);
    assert.ok(words(cat!).includes('gato') && /\b(pez|pescado)\b/.test(cat!), cat);
    // The source segment started mid-sentence, so the translation does too.
    assert.match(cat!, /^\p{Ll}/u);
    assert.ok(words(house!).includes('casa'), house);
    assert.ok(words(children!).includes('niños') && words(children!).includes('jardín'), children);
    assert.ok(words(thanks!).includes('gracias'), thanks);
    // An unknown word passes through without Apertium's `*` mark, which TTS would read.
    assert.ok(unknown!.includes('Zorblax') && !/[*#@]/.test(unknown!), unknown);
    assert.ok(words(result.text).includes('perro'));
  });

  it('keeps 60 segments one to one in a single batch', async () => {
    const lines = ['The dog is big', 'the house is red', 'I eat green apples', 'we like the city'];
    const segments = Array.from({ length: 60 }, (_, i) => ({ start: i, end: i + 0.9, text: lines[i % 4]! }));
    const result = await translate({ segments, source: 'en', target: 'es' });
    assert.equal(result.segments.length, 60);
    const expected = ['perro', 'casa', 'manzanas', 'ciudad'];
    result.segments.forEach((s, i) => assert.ok(words(s.text).includes(expected[i % 4]!), `${i}: ${s.text}`));
  });

  it('returns the text unchanged when source and target are the same language', async () => {
    const result = await translate({ text: 'Hello  there,\nfriend.', source: 'en-GB', target: 'en' });
    assert.equal(result.engine, 'identity');
    assert.equal(result.text, 'Hello there, friend.');
  });

  it('rejects an uninstalled pair with an error listing the installed pairs', async () => {
    const error = await translate({ text: 'Hello', source: 'en', target: 'ja' }).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UnsupportedLanguagePairError);
    assert.equal(error.code, 'UNSUPPORTED_LANGUAGE_PAIR');
    assert.ok(error.installedPairs.some((p) => p.source === 'en' && p.target === 'es'));
    assert.match(error.message, /"en" to "ja".*installed pairs: .*en→es/);
  });

  it('kills the pipeline when the signal aborts, and on its time limit', async () => {
    const text = 'The old man walked slowly to the station and waited for the train. '.repeat(3000);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('cancelled by test')), 100);
    await assert.rejects(
      translate({ text, source: 'en', target: 'es', signal: controller.signal }),
      /cancelled by test/,
    );
    assert.ok(Date.now() - started < 2000, `abort took ${Date.now() - started} ms`);

    const timeout = await translate({ text, source: 'en', target: 'es', timeoutMs: 100 }).then(
      () => assert.fail('expected a timeout'),
      (e: unknown) => e,
    );
    assert.ok(timeout instanceof TranslationEngineError && timeout.reason === 'timeout', String(timeout));
  });

  it('names the apt packages when the apertium binary is missing', async () => {
    const error = await translate({ text: 'Hello', source: 'en', target: 'es', command: '/nonexistent/apertium' }).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TranslationEngineError && error.reason === 'missing');
    assert.match(error.message, /apt-get install apertium apertium-eng-spa/);
  });
});
