import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Nearest ancestor of `start` whose package.json declares npm workspaces: the monorepo root. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && 'workspaces' in parsed) return dir;
    }
    // Installed outside the monorepo (e.g. a deployed image): fall back to the working directory.
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/**
 * Fallback models directory, `<repo>/.data/models`. Deployments pass `modelsDir` explicitly (from the typed
 * env's MODELS_DIR); this package never reads process.env itself.
 */
export const DEFAULT_MODELS_DIR: string = path.resolve(findRepoRoot(__dirname), '.data', 'models');
