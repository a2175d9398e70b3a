import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  MODELS,
  UnknownModelError,
  getModel,
  isInstalled,
  listModels,
  resolveModelFile,
  selectModel,
  verifyModel,
  type ModelManifest,
} from '../src';

function model(id: string): ModelManifest {
  const m = getModel(id);
  assert.ok(m, `model ${id} missing from registry`);
  return m;
}

/** Copies every file of the given models into a fresh root, as an operator-pulled model directory would be. */
function copyModels(root: string, ids: string[]): void {
  for (const id of ids) {
    const m = model(id);
    for (const f of m.files) {
      const dest = path.join(root, f.path);
      mkdirSync(path.dirname(dest), { recursive: true });
      copyFileSync(resolveModelFile(m, f), dest);
    }
  }
}

describe('model registry', () => {
  const roots: string[] = [];
  const tempRoot = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'models-test-'));
    roots.push(dir);
    return dir;
  };
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('lists the three bundled denoisers best first, with the classical one last', () => {
    const denoisers = listModels('denoise');
    assert.deepEqual(
      denoisers.map((m) => m.id),
      ['gtcrn', 'rnnoise', 'speex'],
    );
    assert.deepEqual(
      denoisers.map((m) => m.kind),
      ['neural', 'neural', 'classical'],
    );
    assert.ok(denoisers.every((m) => m.runtime === 'wasm' && m.sampleRate === 48000 && m.languages.includes('*')));
    assert.equal(new Set(MODELS.map((m) => m.id)).size, MODELS.length, 'ids are unique');
  });

  it('has every manifest file installed with the recorded hash and size', async () => {
    for (const m of listModels()) {
      assert.ok(isInstalled(m), `${m.id} not installed`);
      const result = await verifyModel(m);
      assert.ok(result.ok, `${m.id}: ${JSON.stringify(result.files)}`);
    }
  });

  it('selects gtcrn by default for denoise', () => {
    assert.equal(selectModel({ task: 'denoise' }).id, 'gtcrn');
    assert.equal(
      selectModel({ task: 'denoise', language: 'fr' }).id,
      'gtcrn',
      'language-agnostic models fit any language',
    );
  });

  it('honours an installed requested model', () => {
    assert.equal(selectModel({ task: 'denoise', requested: 'speex' }).id, 'speex');
  });

  it('rejects an unknown id with UnknownModelError listing the available ids', () => {
    assert.throws(
      () => selectModel({ task: 'denoise', requested: 'deepfilter' }),
      (error: unknown) => {
        assert.ok(error instanceof UnknownModelError);
        assert.deepEqual(error.available, ['gtcrn', 'rnnoise', 'speex']);
        assert.equal(error.message, 'Unknown model "deepfilter" for task denoise. Available: gtcrn, rnnoise, speex');
        assert.equal(error.code, 'UNKNOWN_MODEL');
        return true;
      },
    );
  });

  it('rejects a model requested for the wrong task', () => {
    assert.throws(() => selectModel({ task: 'tts', requested: 'gtcrn' }), UnknownModelError);
  });

  it('falls back to the best installed model when a better one is missing from the root', () => {
    const root = tempRoot();
    copyModels(root, ['rnnoise', 'speex']);
    assert.equal(isInstalled(model('gtcrn'), { root }), false);
    assert.equal(selectModel({ task: 'denoise' }, { root }).id, 'rnnoise');
    assert.throws(
      () => selectModel({ task: 'denoise', requested: 'gtcrn' }, { root }),
      (error: unknown) => {
        assert.ok(error instanceof UnknownModelError);
        assert.deepEqual(error.available, ['rnnoise', 'speex']);
        assert.match(error.message, /^Model "gtcrn" is not installed .* Available: rnnoise, speex$/);
        return true;
      },
    );
  });

  it('verifyModel detects a tampered file of the same size', async () => {
    const root = tempRoot();
    copyModels(root, ['gtcrn']);
    const gtcrn = model('gtcrn');
    assert.ok((await verifyModel(gtcrn, { root })).ok, 'pristine copy verifies');

    const file = resolveModelFile(gtcrn, 'dist/gtcrn.wasm', { root });
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);

    // Same size, so the cheap install check still passes; only the hash catches it.
    assert.equal(isInstalled(gtcrn, { root }), true);
    const result = await verifyModel(gtcrn, { root });
    assert.equal(result.ok, false);
    assert.equal(result.files[0]?.ok, false);
    assert.notEqual(result.files[0]?.actual, gtcrn.files[0]?.sha256);
  });

  it('verifyModel reports a missing file as a mismatch', async () => {
    const result = await verifyModel(model('speex'), { root: tempRoot() });
    assert.equal(result.ok, false);
    assert.equal(result.files[0]?.actual, null);
  });

  it('refuses to resolve a file the manifest does not list', () => {
    assert.throws(() => resolveModelFile(model('gtcrn'), 'dist/evil.wasm'), /has no file/);
  });
});
