import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { commitModelDir, makeStagingDir } from './fs-atomic';
import { sha256File } from './hash';
import type { ModelManifest, ModelRuntime, ModelTask } from './manifest';
import { DEFAULT_MODELS_DIR } from './paths';
import { modelStatus } from './registry';

/** Byte progress of one file of a pull. */
export interface PullProgress {
  readonly model: string;
  readonly file: string;
  readonly receivedBytes: number;
  /** Undefined when neither the manifest nor the server says how large the file is. */
  readonly totalBytes: number | undefined;
  readonly phase: 'download' | 'resume' | 'verify' | 'install';
}

export interface PullOptions {
  readonly modelsDir?: string;
  /** Injected in tests; the global fetch by default. */
  readonly fetchImpl?: typeof fetch;
  readonly onProgress?: (event: PullProgress) => void;
  /** Tries per file, each resuming from the `.part` file; default 4. */
  readonly maxAttempts?: number;
  /** Wait before a retry, doubled each time; default 500 ms. */
  readonly retryDelayMs?: number;
}

export interface PullResult {
  readonly id: string;
  readonly outcome: 'installed' | 'already-installed';
  readonly dir: string;
}

/** A pull that cannot succeed as asked: bad manifest, HTTP error, or bytes that do not match the recorded hash. */
export class ModelPullError extends Error {
  readonly code = 'MODEL_PULL_FAILED' as const;
  constructor(
    readonly modelId: string,
    message: string,
  ) {
    super(`${modelId}: ${message}`);
    this.name = 'ModelPullError';
  }
}

/** A failure worth retrying from the `.part` file (connection cut, 5xx). */
class TransientPullError extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function sizeOf(file: string): Promise<number> {
  return existsSync(file) ? (await stat(file)).size : 0;
}

interface DownloadTarget {
  readonly modelId: string;
  readonly label: string;
  readonly url: string;
  readonly partFile: string;
  readonly bytes: number | undefined;
}

/** One HTTP request that appends to (or restarts) the part file. Resolves when the body has been fully written. */
async function fetchOnce(
  target: DownloadTarget,
  fetchImpl: typeof fetch,
  onProgress: PullOptions['onProgress'],
): Promise<void> {
  let have = await sizeOf(target.partFile);
  if (target.bytes !== undefined && have > target.bytes) {
    await truncate(target.partFile, 0);
    have = 0;
  }
  const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-` } : {};
  let response: Response;
  try {
    response = await fetchImpl(target.url, { headers, redirect: 'follow' });
  } catch (error) {
    throw new TransientPullError(`request failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.status === 416) {
    // The server has nothing past our offset: the part is complete or stale; the hash check decides which.
    await response.body?.cancel();
    return;
  }
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel();
    throw new TransientPullError(`HTTP ${response.status} from ${target.url}`);
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw new ModelPullError(target.modelId, `HTTP ${response.status} ${response.statusText} for ${target.url}`);
  }
  // A 206 counts only if it starts where we asked; anything else (200, or a different range) restarts the file.
  const resumed = response.status === 206 && (response.headers.get('content-range') ?? '').startsWith(`bytes ${have}-`);
  if (!resumed) have = 0;
  const lengthHeader = Number(response.headers.get('content-length'));
  const total = target.bytes ?? (Number.isFinite(lengthHeader) && lengthHeader > 0 ? have + lengthHeader : undefined);

  await mkdir(path.dirname(target.partFile), { recursive: true });
  const out = await open(target.partFile, resumed ? 'a' : 'w');
  let received = have;
  const report = (): void =>
    onProgress?.({
      model: target.modelId,
      file: target.label,
      receivedBytes: received,
      totalBytes: total,
      phase: resumed ? 'resume' : 'download',
    });
  try {
    report();
    if (response.body === null) throw new TransientPullError('empty response body');
    const reader = response.body.getReader();
    let lastReport = Date.now();
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        // Connection cut mid-body: what was written so far stays in the part file for the next attempt.
        throw new TransientPullError(`download interrupted: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (chunk.done) break;
      received += chunk.value.byteLength;
      if (target.bytes !== undefined && received > target.bytes) {
        await reader.cancel();
        throw new ModelPullError(
          target.modelId,
          `${target.label}: server sent more than the expected ${target.bytes} bytes`,
        );
      }
      await out.write(chunk.value);
      if (Date.now() - lastReport > 250) {
        lastReport = Date.now();
        report();
      }
    }
    report();
  } finally {
    await out.close();
  }
}

/** Downloads `url` into `partFile`, resuming with HTTP Range after interruptions, then checks size and sha256. */
async function downloadVerified(target: DownloadTarget, sha256: string, options: PullOptions): Promise<void> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const attempts = options.maxAttempts ?? 4;
  let delay = options.retryDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    if (target.bytes !== undefined && (await sizeOf(target.partFile)) === target.bytes) break;
    try {
      await fetchOnce(target, fetchImpl, options.onProgress);
      if (target.bytes === undefined || (await sizeOf(target.partFile)) === target.bytes) break;
      throw new TransientPullError(`short download: ${await sizeOf(target.partFile)} of ${target.bytes} bytes`);
    } catch (error) {
      if (!(error instanceof TransientPullError)) throw error;
      if (attempt >= attempts) {
        throw new ModelPullError(
          target.modelId,
          `${target.label}: ${error.message} (gave up after ${attempts} attempts; rerun to resume)`,
        );
      }
      await sleep(delay);
      delay *= 2;
    }
  }
  options.onProgress?.({
    model: target.modelId,
    file: target.label,
    receivedBytes: await sizeOf(target.partFile),
    totalBytes: target.bytes,
    phase: 'verify',
  });
  const actual = await sha256File(target.partFile);
  if (actual !== sha256) {
    // A wrong file cannot be resumed into a right one: drop it so the next pull starts clean.
    await rm(target.partFile, { force: true });
    throw new ModelPullError(
      target.modelId,
      `${target.label}: sha256 mismatch, expected ${sha256}, got ${actual}; download discarded`,
    );
  }
}

function partialDir(modelsDir: string, id: string): string {
  return path.join(modelsDir, '.partial', id);
}

/**
 * Downloads an operator-pulled (`url` source) model: every file is fetched with HTTP Range resume into
 * `<modelsDir>/.partial/<id>/<path>.part`, checked against its sha256, and only when all files verify is the
 * model directory renamed into place as `<modelsDir>/<id>`. A hash mismatch deletes the part and throws
 * `ModelPullError` naming the expected and actual hashes; nothing is installed.
 */
export async function pullModel(model: ModelManifest, options: PullOptions = {}): Promise<PullResult> {
  if (model.source.kind !== 'url') {
    throw new ModelPullError(model.id, `source is ${model.source.kind}, not url: use models install`);
  }
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR;
  const dir = path.join(modelsDir, model.id);
  if ((await modelStatus(model, { modelsDir })) === 'installed')
    return { id: model.id, outcome: 'already-installed', dir };
  const parts = partialDir(modelsDir, model.id);
  for (const file of model.files) {
    if (file.url === undefined) throw new ModelPullError(model.id, `file ${file.path} has no url`);
    await downloadVerified(
      {
        modelId: model.id,
        label: file.path,
        url: file.url,
        partFile: path.join(parts, `${file.path}.part`),
        bytes: file.bytes,
      },
      file.sha256,
      options,
    );
  }
  await installParts(model, modelsDir, undefined, options);
  return { id: model.id, outcome: 'installed', dir };
}

async function installParts(
  model: ModelManifest,
  modelsDir: string,
  extra: { readonly name: string; readonly content: string } | undefined,
  options: PullOptions,
): Promise<void> {
  const parts = partialDir(modelsDir, model.id);
  const staging = await makeStagingDir(modelsDir, model.id);
  try {
    for (const file of model.files) {
      const dest = path.join(staging, file.path);
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(path.join(parts, `${file.path}.part`), dest);
    }
    if (extra !== undefined) await writeFile(path.join(staging, extra.name), extra.content);
    options.onProgress?.({
      model: model.id,
      file: '*',
      receivedBytes: 0,
      totalBytes: undefined,
      phase: 'install',
    });
    await commitModelDir(staging, modelsDir, model.id);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  await rm(parts, { recursive: true, force: true });
  // Drop `.partial` itself once no other pull has parts in it (rmdir fails harmlessly if it is not empty).
  await rmdir(path.dirname(parts)).catch(() => undefined);
}

/** File recording an ad-hoc model's manifest inside its directory, so listings can show it. */
export const OPERATOR_MANIFEST = 'model.json';

/** An operator's own model: one file from a URL, pinned by sha256. */
export interface AdHocModel {
  readonly id: string;
  readonly url: string;
  readonly sha256: string;
  /** Checked before hashing when given. */
  readonly bytes?: number;
  /** Installed file name; the URL's last path segment by default. */
  readonly fileName?: string;
  readonly task: ModelTask;
  readonly runtime?: ModelRuntime;
  readonly languages?: readonly string[];
  readonly sampleRate?: number;
  readonly licence?: string;
  readonly displayName?: string;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Pulls a single-file model that is not in the registry (an operator's chosen export), with the same resume,
 * verification and atomic install as `pullModel`, and records its manifest as `<modelsDir>/<id>/model.json`.
 */
export async function pullFromUrl(model: AdHocModel, options: PullOptions = {}): Promise<ModelManifest> {
  if (!ID_PATTERN.test(model.id)) throw new ModelPullError(model.id, 'id must match [a-z0-9][a-z0-9._-]*');
  if (!/^[0-9a-f]{64}$/.test(model.sha256))
    throw new ModelPullError(model.id, 'sha256 must be 64 lowercase hex digits');
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR;
  const fileName = model.fileName ?? decodeURIComponent(new URL(model.url).pathname.split('/').pop() ?? '');
  if (fileName === '' || fileName.includes('/') || fileName.startsWith('.')) {
    throw new ModelPullError(model.id, `cannot derive a file name from ${model.url}; pass fileName`);
  }
  const partFile = path.join(partialDir(modelsDir, model.id), `${fileName}.part`);
  await downloadVerified(
    {
      modelId: model.id,
      label: fileName,
      url: model.url,
      partFile,
      bytes: model.bytes,
    },
    model.sha256,
    options,
  );
  const manifest: ModelManifest = {
    id: model.id,
    task: model.task,
    displayName: model.displayName ?? `${model.id} (operator-pulled)`,
    runtime: model.runtime ?? 'onnxruntime-node',
    // Operators pull learned weights; classical methods ship with the code.
    kind: 'neural',
    languages: model.languages ?? ['*'],
    sampleRate: model.sampleRate ?? 16000,
    qualityTier: 5,
    licence: model.licence ?? 'NOASSERTION',
    source: { kind: 'url' },
    files: [
      {
        path: fileName,
        sha256: model.sha256,
        bytes: (await stat(partFile)).size,
        url: model.url,
      },
    ],
  };
  await installParts(
    manifest,
    modelsDir,
    {
      name: OPERATOR_MANIFEST,
      content: `${JSON.stringify(manifest, null, 2)}\n`,
    },
    options,
  );
  return manifest;
}

function isManifest(value: unknown): value is ModelManifest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' && typeof v.task === 'string' && Array.isArray(v.files) && typeof v.source === 'object'
  );
}

/** Manifests of ad-hoc models installed by `pullFromUrl` (they live only in the models dir). */
export async function loadOperatorModels(modelsDir: string = DEFAULT_MODELS_DIR): Promise<ModelManifest[]> {
  if (!existsSync(modelsDir)) return [];
  const found: ModelManifest[] = [];
  for (const entry of await readdir(modelsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const file = path.join(modelsDir, entry.name, OPERATOR_MANIFEST);
    if (!existsSync(file)) continue;
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (isManifest(parsed) && parsed.id === entry.name) found.push(parsed);
  }
  return found;
}
