import { parseEnv } from '@voice/config';
import { installWorkerRuntime } from '@voice/runtime';
import { startPlatform } from './platform';

/** `npm start`: the whole platform on embedded defaults (see README for pointing parts at real infrastructure). */
async function main(): Promise<void> {
  const env = parseEnv();
  installWorkerRuntime(env);
  const platform = await startPlatform(env);
  const lines = [
    '',
    `Voice platform is running: open ${platform.apiUrl}/`,
    `  API          ${platform.apiUrl}/api`,
    `  API docs     ${platform.docsUrl}`,
    `  Temporal UI  ${platform.temporalUiUrl ?? '(external cluster: set TEMPORAL_UI_PUBLIC_URL to show it here)'}`,
    `  Temporal     ${platform.temporalAddress} (namespace ${env.TEMPORAL_NAMESPACE})`,
    `  Database     ${platform.database.kind === 'pglite' ? 'embedded PGlite under DATA_DIR' : 'PostgreSQL (DATABASE_URL)'}`,
    `  Storage      ${platform.storage.driver}`,
    ...(platform.metricsUrl ? [`  Metrics      ${platform.metricsUrl}`] : []),
    '',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, shutting down…`);
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
