import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// resolution-mode: a CommonJS file may only type-import an ES module when it says it will load it with import().
type MinioModule = typeof import('../../../../scripts/infra/minio.mjs', { with: { 'resolution-mode': 'import' } });

export interface S3TestServer {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  /** Prefix for bucket names, so suites sharing one server do not collide. */
  bucketPrefix: string;
  stop(): Promise<void>;
}

export type S3TestServerResult = { server: S3TestServer } | { skip: string };

function findRepoFile(relativePath: string): string {
  // Compiled tests live at a different depth than their sources, so search upwards instead of hard-coding ../..
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${relativePath} not found above ${__dirname}`);
  }
}

/**
 * The S3 server for this test process: the shared MinIO from scripts/test.mjs (TEST_S3_* env), or, when the file is
 * run on its own, a private MinIO started through scripts/infra. Outside CI an unavailable server means skip.
 */
export async function acquireS3TestServer(): Promise<S3TestServerResult> {
  const env = process.env;
  if (env.TEST_S3_ENDPOINT) {
    return {
      server: {
        endpoint: env.TEST_S3_ENDPOINT,
        region: env.TEST_S3_REGION ?? 'us-east-1',
        accessKey: env.TEST_S3_ACCESS_KEY ?? 'minioadmin',
        secretKey: env.TEST_S3_SECRET_KEY ?? 'minioadmin',
        bucketPrefix: env.TEST_S3_BUCKET_PREFIX ?? 'test-',
        stop: async () => {},
      },
    };
  }
  const unavailable = env.TEST_S3_UNAVAILABLE;
  if (unavailable) {
    if (env.CI) throw new Error(`S3 test server unavailable in CI: ${unavailable}`);
    return { skip: `S3 test server unavailable: ${unavailable}` };
  }
  try {
    const minio = (await import(pathToFileURL(findRepoFile('scripts/infra/minio.mjs')).href)) as MinioModule;
    const server = await minio.startMinio();
    return { server: { ...server, bucketPrefix: 'test-' } };
  } catch (error) {
    if (env.CI) throw error;
    return { skip: `could not start MinIO: ${error instanceof Error ? error.message : String(error)}` };
  }
}
