#!/usr/bin/env node
// Pre-installs every external server and tool the tests need (Temporal CLI, PostgreSQL, MinIO, Mailpit, stripe-mock,
// kustomize, kubeconform and the Kubernetes schemas, and Prometheus and NGINX from Debian) so
// `npm test` only starts them.
// Used by .ci/run; safe to re-run (each step is a no-op once cached).
import { ensureNginx, ensurePrometheus } from './debian.mjs';
import { ensureK8sSchemas, ensureKubeconform, ensureKustomize } from './kustomize.mjs';
import { ensureMailpit } from './mailpit.mjs';
import { ensureMinio } from './minio.mjs';
import { ensurePostgres } from './postgres.mjs';
import { ensureStripeMock } from './stripe-mock.mjs';
import { ensureTemporalCli } from './temporal.mjs';

const started = Date.now();
const steps = {
  temporal: ensureTemporalCli(),
  postgres: ensurePostgres().then((pg) => `${pg.binDir} (${pg.version})`),
  minio: ensureMinio(),
  // Its own `go install`, concurrent with MinIO's (about 1 CPU-minute); both share one Go lookup and build cache.
  mailpit: ensureMailpit(),
  // Likewise a small `go install` of its own.
  stripeMock: ensureStripeMock(),
  // deploy/k8s checks (tests/test/k8s-manifests.test.ts): two more `go install`s, and schemas from PyPI and KEDA's module.
  kustomize: ensureKustomize(),
  kubeconform: ensureKubeconform(),
  k8sSchemas: ensureK8sSchemas().then((schemas) => `${schemas.kubernetesDir}, ${schemas.kedaCrdDir}`),
  // apt-get, one after the other (dpkg takes a lock).
  debian: ensurePrometheus().then(async (prom) => `${prom.prometheus}, ${prom.promtool}, ${await ensureNginx()}`),
};
const results = await Promise.allSettled(Object.values(steps));
let failed = false;
Object.keys(steps).forEach((name, index) => {
  const result = results[index];
  if (result.status === 'fulfilled') console.log(`[infra] ${name}: ${result.value}`);
  else {
    failed = true;
    console.error(`[infra] ${name} FAILED: ${result.reason instanceof Error ? result.reason.message : result.reason}`);
  }
});
console.log(`[infra] done in ${Math.round((Date.now() - started) / 1000)} s`);
process.exitCode = failed ? 1 : 0;
