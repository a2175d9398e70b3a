#!/usr/bin/env node
// The web app's typed API client comes from the platform's own OpenAPI document:
//   apps/web/src/api/openapi.json   the document, as GET /api/docs-json serves it
//   apps/web/src/api/schema.d.ts    its TypeScript types (openapi-typescript), used by openapi-fetch
//
//   node scripts/gen-api-client.mjs           regenerate both (npm run gen:api; needs a built apps/api)
//   node scripts/gen-api-client.mjs --check   exit 1 if either committed file is stale (the test suite runs this)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './infra/common.mjs';

const check = process.argv.includes('--check');
const apiDir = join(repoRoot, 'apps', 'web', 'src', 'api');
const targets = ['openapi.json', 'schema.d.ts'];
const bin = (name) => join(repoRoot, 'node_modules', '.bin', name);

const outDir = mkdtempSync(join(tmpdir(), 'voice-api-client-'));
try {
  const documentFile = join(outDir, 'openapi.json');
  execFileSync(process.execPath, [join(repoRoot, 'apps', 'api', 'dist', 'src', 'openapi-cli.js'), documentFile], {
    stdio: 'inherit',
  });
  execFileSync(bin('openapi-typescript'), [documentFile, '-o', join(outDir, 'schema.d.ts'), '--silent'], {
    stdio: 'inherit',
  });
  // Formatted as the committed files are, so `prettier --check` and this comparison agree.
  execFileSync(
    bin('prettier'),
    [
      '--write',
      '--log-level',
      'warn',
      '--config',
      join(repoRoot, '.prettierrc.json'),
      ...targets.map((name) => join(outDir, name)),
    ],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  const stale = targets.filter((name) => {
    const fresh = readFileSync(join(outDir, name), 'utf8');
    let committed = '';
    try {
      committed = readFileSync(join(apiDir, name), 'utf8');
    } catch {}
    if (fresh === committed) return false;
    if (!check) writeFileSync(join(apiDir, name), fresh);
    return true;
  });
  if (check && stale.length > 0) {
    console.error(
      `The web app's API client is stale (${stale.join(', ')} differ from the API): run \`npm run gen:api\` and commit.`,
    );
    process.exit(1);
  }
  console.log(stale.length === 0 ? 'API client up to date' : `regenerated ${stale.join(', ')}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
