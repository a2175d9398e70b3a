import * as path from 'node:path';
import { defineConfig } from 'drizzle-kit';

// drizzle-kit resolves paths against the working directory and breaks on absolute `out` paths (it prefixes
// './'), so anchor to this file and hand it paths relative to the cwd: works from the repo root
// (`npm run db:generate`) and from db/ alike.
const fromHere = (file: string) => path.relative(process.cwd(), path.join(__dirname, file)) || '.';

export default defineConfig({
  dialect: 'postgresql',
  schema: fromHere('src/schema.ts'),
  out: fromHere('migrations'),
  strict: true,
  verbose: true,
});
