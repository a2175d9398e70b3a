/**
 * Writes the platform's OpenAPI document, the source the web app's typed client is generated from
 * (`npm run gen:api`). The API is built over an in-memory PGlite and never listens: the document comes from
 * the controllers' decorators and the step registry alone.
 *
 *   node apps/api/dist/src/openapi-cli.js <out.json>
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { parseEnv } from '@voice/config';
import { createDatabase } from '@voice/db';
import type { OpenAPIObject } from '@nestjs/swagger';

import { createOpenApiDocument } from './common/openapi';
import { createApiApp } from './create-api-app';

/** The document exactly as `GET /api/docs-json` serves it. */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-openapi-'));
  const database = await createDatabase({});
  try {
    const env = parseEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATA_DIR: dataDir,
      JWT_SECRET: 'openapi-document-only-secret-0123456789',
    });
    const app = await createApiApp({ env, database });
    try {
      return createOpenApiDocument(app);
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Stable text for a committed file: two-space JSON and a final newline. */
export function openApiDocumentText(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: openapi-cli <out.json>');
    process.exit(2);
  }
  buildOpenApiDocument()
    .then((document) => writeFile(out, openApiDocumentText(document)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
