import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { envSchema, parseEnv } from '@voice/config';

// resolution-mode: a CommonJS file may only type-import an ES module when it says it will load it with import().
type KustomizeModule = typeof import('../../scripts/infra/kustomize.mjs', { with: { 'resolution-mode': 'import' } });

/** The slice of the Kubernetes object model these checks read; kubeconform has validated the rest. */
interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
interface HttpProbe {
  httpGet?: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  startupProbe?: HttpProbe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Container[];
    nodeSelector?: Record<string, string>;
    tolerations?: Array<{ key?: string; operator?: string; effect?: string }>;
    terminationGracePeriodSeconds?: number;
  };
}
interface Deployment extends K8sObject {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
}
interface ConfigMap extends K8sObject {
  data: Record<string, string>;
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
}
interface PodDisruptionBudget extends K8sObject {
  spec: { selector: LabelSelector; maxUnavailable?: number | string; minAvailable?: number | string };
}
interface ScaleTarget {
  apiVersion?: string;
  kind: string;
  name: string;
  envSourceContainerName?: string;
}
interface HorizontalPodAutoscaler extends K8sObject {
  spec: { scaleTargetRef: ScaleTarget; minReplicas?: number; maxReplicas: number };
}
interface ScaledObject extends K8sObject {
  spec: {
    scaleTargetRef: ScaleTarget;
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: Array<{ type: string; metadata: Record<string, string> }>;
  };
}
interface PolicyPort {
  port?: string | number;
  protocol?: string;
}
interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: Array<{
      from?: Array<{ namespaceSelector?: LabelSelector; podSelector?: LabelSelector }>;
      ports?: PolicyPort[];
    }>;
    egress?: Array<{ to?: unknown[]; ports?: PolicyPort[] }>;
  };
}
interface Ingress extends K8sObject {
  spec: {
    ingressClassName?: string;
    tls?: Array<{ hosts?: string[]; secretName?: string }>;
    rules: Array<{
      host?: string;
      http: { paths: Array<{ path: string; backend: { service: { name: string; port: { name?: string } } } }> };
    }>;
  };
}
interface KubeconformReport {
  resources: Array<{ kind: string; name: string; status: string; msg: string }>;
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

const OVERLAYS = ['dev', 'prod'] as const;
type Overlay = (typeof OVERLAYS)[number];
const DEPLOYMENTS = ['voice-api', 'voice-worker', 'voice-gpu-worker'] as const;
/** docker-compose.yml's service per Deployment: the commands must agree. */
const COMPOSE_SERVICE: Record<(typeof DEPLOYMENTS)[number], string> = {
  'voice-api': 'api',
  'voice-worker': 'worker',
  'voice-gpu-worker': 'gpu-worker',
};
/** Secret keys production start-up cannot do without (parseEnv: NODE_ENV=production, STORAGE_DRIVER=s3). */
const REQUIRED_SECRET_KEYS = [
  'DATABASE_URL',
  'JWT_SECRET',
  'DATA_ENCRYPTION_KEY',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
];

function findRepoRoot(): string {
  // Compiled tests live at a different depth than their sources, so search upwards instead of hard-coding ../..
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'deploy', 'k8s', 'base', 'kustomization.yaml'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`deploy/k8s not found above ${__dirname}`);
  }
}
const repoRoot = findRepoRoot();

/** Runs a tool to completion; a non-zero exit is a result here (kubeconform exits 1 on an invalid object). */
function runTool(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/**
 * KEDA's CRD schemas the way kubeconform's openapi2jsonschema.py writes them in strict mode (and like kubectl's
 * field validation): an object that lists its properties admits no others, unless the CRD says it keeps unknown
 * fields. Written as `<group>/<kind>_<version>.json` for kubeconform's CRD schema-location template.
 */
async function writeCrdSchemas(crdDir: string, outDir: string): Promise<number> {
  const strict = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(strict);
    else if (node !== null && typeof node === 'object') {
      const schema = node as Record<string, unknown>;
      if ('properties' in schema && !('additionalProperties' in schema)) {
        if (schema['x-kubernetes-preserve-unknown-fields'] !== true) schema['additionalProperties'] = false;
      }
      Object.values(schema).forEach(strict);
    }
  };
  let written = 0;
  for (const file of (await readdir(crdDir)).filter((name) => name.endsWith('.yaml'))) {
    for (const document of parseAllDocuments(await readFile(path.join(crdDir, file), 'utf8'))) {
      const crd = document.toJS() as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string };
          versions: Array<{ name: string; schema?: { openAPIV3Schema?: unknown } }>;
        };
      } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (schema === undefined) continue;
        strict(schema);
        const target = path.join(outDir, crd.spec.group, `${crd.spec.names.kind.toLowerCase()}_${version.name}.json`);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, JSON.stringify(schema));
        written += 1;
      }
    }
  }
  return written;
}

function byKind<T extends K8sObject>(objects: K8sObject[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as T[];
}

function one<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = byKind<T>(objects, kind).filter((object) => object.metadata.name === name);
  assert.equal(found.length, 1, `exactly one ${kind} ${name}`);
  return found[0] as T;
}

function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const wanted = Object.entries(selector.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
}

function containerOf(deployment: Deployment): Container {
  assert.equal(deployment.spec.template.spec.containers.length, 1, `${deployment.metadata.name} runs one container`);
  return deployment.spec.template.spec.containers[0] as Container;
}

function portNumber(container: Container, port: string | number): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((candidate) => candidate.name === port);
  assert.ok(named, `${container.name} has a port named ${port}`);
  return named.containerPort;
}

/** The variables a container starts with: its ConfigMap (envFrom), then its own env entries, which win. */
function literalEnv(container: Container, configMap: ConfigMap): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      assert.equal(
        source.configMapRef.name,
        configMap.metadata.name,
        `${container.name} reads the generated ConfigMap`,
      );
      Object.assign(env, configMap.data);
    }
  }
  for (const variable of container.env ?? []) if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

/** Keys of the Secret template: set ones (placeholders) and the optional ones left commented out. */
async function readSecretTemplate() {
  const text = await readFile(path.join(repoRoot, 'deploy', 'k8s', 'secret.example.yaml'), 'utf8');
  const secret = parseYaml(text) as K8sObject & { stringData: Record<string, string> };
  const optional = [...text.matchAll(/^\s*#\s*([A-Z][A-Z0-9_]*):\s*'(.*)'\s*$/gm)].map((match) => ({
    key: match[1] as string,
    value: match[2] as string,
  }));
  return { secret, required: Object.keys(secret.stringData), optional };
}

describe(
  'Kubernetes manifests (deploy/k8s): rendered by kustomize, validated by kubeconform',
  { timeout: 900_000 },
  () => {
    let kubeconformPath: string;
    let workDir: string;
    let kubernetesSchemaTemplate: string;
    let crdSchemaTemplate: string;
    let kubernetesVersions: string[];
    const rendered = {} as Record<Overlay, { file: string; objects: K8sObject[] }>;

    before(async () => {
      const infraUrl = pathToFileURL(path.join(repoRoot, 'scripts', 'infra', 'kustomize.mjs')).href;
      const infra = (await import(infraUrl)) as KustomizeModule;
      // Built once by scripts/infra/install.mjs in CI; on a fresh checkout the first run builds them (a few minutes).
      const [kustomize, kubeconform, schemas] = await Promise.all([
        infra.ensureKustomize(),
        infra.ensureKubeconform(),
        infra.ensureK8sSchemas(),
      ]);
      kubeconformPath = kubeconform;
      kubernetesVersions = schemas.kubernetesVersions;
      workDir = await mkdtemp(path.join(tmpdir(), 'k8s-manifests-'));
      const crdDir = path.join(workDir, 'crd-schemas');
      assert.ok((await writeCrdSchemas(schemas.kedaCrdDir, crdDir)) >= 4, 'KEDA ships its CRDs with schemas');
      kubernetesSchemaTemplate = path.join(
        schemas.kubernetesDir,
        '{{.NormalizedKubernetesVersion}}-local{{.StrictSuffix}}',
        '{{.ResourceKind}}{{.KindSuffix}}.json',
      );
      crdSchemaTemplate = path.join(crdDir, '{{.Group}}', '{{.ResourceKind}}_{{.ResourceAPIVersion}}.json');
      for (const overlay of OVERLAYS) {
        const build = await runTool(kustomize, ['build', path.join(repoRoot, 'deploy', 'k8s', 'overlays', overlay)]);
        assert.equal(build.code, 0, `kustomize build ${overlay}: ${build.stderr}`);
        const file = path.join(workDir, `${overlay}.yaml`);
        await writeFile(file, build.stdout);
        const objects = parseAllDocuments(build.stdout).map((document) => document.toJS() as K8sObject);
        rendered[overlay] = { file, objects };
      }
    });
    after(async () => {
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    const kubeconform = async (files: string[], version: string): Promise<KubeconformReport> => {
      const result = await runTool(kubeconformPath, [
        // -strict: unknown fields and duplicate keys are errors. No -ignore-missing-schemas: an object whose schema
        // cannot be found or compiled is an error too, never a silent pass.
        ...['-strict', '-summary', '-verbose', '-output', 'json', '-kubernetes-version', version],
        ...['-schema-location', kubernetesSchemaTemplate, '-schema-location', crdSchemaTemplate],
        ...files,
      ]);
      assert.ok(result.stdout.trim().startsWith('{'), `kubeconform printed a report: ${result.stdout}${result.stderr}`);
      return JSON.parse(result.stdout) as KubeconformReport;
    };

    test('every object of both overlays and the Secret template is valid for Kubernetes 1.31 and 1.37 and KEDA 2.21', async () => {
      const files = [
        rendered.dev.file,
        rendered.prod.file,
        path.join(repoRoot, 'deploy', 'k8s', 'secret.example.yaml'),
      ];
      const total = rendered.dev.objects.length + rendered.prod.objects.length + 1;
      assert.ok(kubernetesVersions.length >= 2);
      for (const version of kubernetesVersions) {
        const report = await kubeconform(files, version);
        const problems = report.resources.filter((resource) => resource.status !== 'statusValid');
        assert.deepEqual(problems, [], `Kubernetes ${version}`);
        assert.deepEqual(report.summary, { valid: total, invalid: 0, errors: 0, skipped: 0 }, `Kubernetes ${version}`);
        const scaledObjects = report.resources.filter((resource) => resource.kind === 'ScaledObject');
        assert.deepEqual(
          scaledObjects.map((resource) => resource.status),
          ['statusValid'],
          'prod has a ScaledObject',
        );
      }
      for (const overlay of OVERLAYS) {
        const namespace = byKind(rendered[overlay].objects, 'Namespace')[0]?.metadata.name;
        assert.ok(namespace, `${overlay} creates its namespace`);
        for (const object of rendered[overlay].objects.filter((candidate) => candidate.kind !== 'Namespace')) {
          assert.equal(object.metadata.namespace, namespace, `${overlay} ${object.kind} ${object.metadata.name}`);
        }
      }
    });

    test('kubeconform is no rubber stamp: a misspelt field, a wrong type, a bad ScaledObject field and an unknown kind fail', async () => {
      const objects = structuredClone(rendered.prod.objects);
      const api = one<Deployment>(objects, 'Deployment', 'voice-api');
      const container = containerOf(api) as Container & Record<string, unknown>;
      container['readinesProbe'] = container.readinessProbe;
      const hpa = one<HorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', 'voice-api');
      (hpa.spec as Record<string, unknown>)['minReplicas'] = 'three';
      const scaledObject = one<ScaledObject>(objects, 'ScaledObject', 'voice-gpu-worker');
      (scaledObject.spec as Record<string, unknown>)['minReplicas'] = 1;
      const broken = [api, hpa, scaledObject, { ...one(objects, 'Service', 'voice-api'), kind: 'Servise' }];
      const file = path.join(workDir, 'broken.yaml');
      await writeFile(file, broken.map((object) => JSON.stringify(object)).join('\n---\n'));
      const report = await kubeconform([file], kubernetesVersions.at(-1) ?? '');
      const statusOf = (kind: string) => report.resources.find((resource) => resource.kind === kind);
      assert.equal(statusOf('Deployment')?.status, 'statusInvalid');
      assert.match(statusOf('Deployment')?.msg ?? '', /readinesProbe/);
      assert.equal(statusOf('HorizontalPodAutoscaler')?.status, 'statusInvalid');
      assert.equal(statusOf('ScaledObject')?.status, 'statusInvalid');
      assert.match(statusOf('ScaledObject')?.msg ?? '', /minReplicas/);
      assert.equal(statusOf('Servise')?.status, 'statusError');
      assert.deepEqual(report.summary, { valid: 0, invalid: 3, errors: 1, skipped: 0 });
    });

    test('api, worker and gpu-worker run the commands of docker-compose.yml, all from the one pinned image', async () => {
      const compose = parseYaml(await readFile(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
        services: Record<string, { command?: string[] }>;
      };
      for (const overlay of OVERLAYS) {
        const images = new Set<string>();
        for (const name of DEPLOYMENTS) {
          const container = containerOf(one<Deployment>(rendered[overlay].objects, 'Deployment', name));
          const service = compose.services[COMPOSE_SERVICE[name]];
          assert.ok(service?.command, `docker-compose.yml has ${COMPOSE_SERVICE[name]}`);
          assert.deepEqual(container.command, service.command, `${overlay} ${name}`);
          images.add(container.image);
        }
        assert.equal(images.size, 1, `${overlay}: one image for every process (${[...images].join(', ')})`);
        const [image] = [...images];
        assert.match(image ?? '', /:[\w.-]+$/, 'a tag is pinned');
        assert.doesNotMatch(image ?? '', /:latest$/);
      }
      assert.equal(
        containerOf(one<Deployment>(rendered.prod.objects, 'Deployment', 'voice-api')).image,
        'registry.example.com/voice/voice-platform:0.1.0',
      );
    });

    test('gpu-worker requests and limits one nvidia.com/gpu on GPU nodes it tolerates; dev runs it on CPU', () => {
      const gpu = one<Deployment>(rendered.prod.objects, 'Deployment', 'voice-gpu-worker');
      const { resources } = containerOf(gpu);
      assert.equal(String(resources?.requests?.['nvidia.com/gpu']), '1');
      assert.equal(String(resources?.limits?.['nvidia.com/gpu']), '1');
      assert.equal(gpu.spec.template.spec.nodeSelector?.['nvidia.com/gpu.present'], 'true');
      assert.ok(
        gpu.spec.template.spec.tolerations?.some(
          (toleration) => toleration.key === 'nvidia.com/gpu' && toleration.effect === 'NoSchedule',
        ),
        'tolerates the GPU taint',
      );
      // Only the GPU worker occupies a device.
      for (const name of ['voice-api', 'voice-worker']) {
        const other = containerOf(one<Deployment>(rendered.prod.objects, 'Deployment', name));
        assert.equal(other.resources?.limits?.['nvidia.com/gpu'], undefined, name);
      }
      const devGpu = one<Deployment>(rendered.dev.objects, 'Deployment', 'voice-gpu-worker');
      assert.equal(containerOf(devGpu).resources?.limits?.['nvidia.com/gpu'], undefined);
      assert.equal(devGpu.spec.template.spec.nodeSelector, undefined);
    });

    test('every container has CPU and memory requests and limits, and limits are not below requests', () => {
      const quantity = (value: string | number | undefined): number => {
        const text = String(value);
        const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(text);
        assert.ok(match, `quantity ${text}`);
        const scale: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
        return Number(match[1]) * (match[2] ? (scale[match[2]] ?? 1) : 1);
      };
      for (const overlay of OVERLAYS) {
        for (const deployment of byKind<Deployment>(rendered[overlay].objects, 'Deployment')) {
          const { resources } = containerOf(deployment);
          for (const resource of ['cpu', 'memory']) {
            const request = quantity(resources?.requests?.[resource]);
            const limit = quantity(resources?.limits?.[resource]);
            assert.ok(request > 0 && limit >= request, `${overlay} ${deployment.metadata.name} ${resource}`);
          }
        }
      }
    });

    test('the API is ready and live on /api/health, a GET route of the OpenAPI document; workers are live on /metrics', async () => {
      const openapi = JSON.parse(
        await readFile(path.join(repoRoot, 'apps', 'web', 'src', 'api', 'openapi.json'), 'utf8'),
      ) as {
        paths: Record<string, Record<string, unknown>>;
      };
      for (const overlay of OVERLAYS) {
        const configMap = byKind<ConfigMap>(rendered[overlay].objects, 'ConfigMap')[0] as ConfigMap;
        const api = containerOf(one<Deployment>(rendered[overlay].objects, 'Deployment', 'voice-api'));
        for (const probe of [api.readinessProbe, api.livenessProbe, api.startupProbe]) {
          const route = probe?.httpGet?.path ?? '';
          assert.ok(openapi.paths[route]?.['get'], `${route} is a GET route of the API`);
          assert.match(route, /^\/api\/health(\/live)?$/);
          assert.equal(portNumber(api, probe?.httpGet?.port ?? ''), Number(configMap.data['API_PORT']));
        }
        assert.equal(api.readinessProbe?.httpGet?.path, '/api/health');
        for (const name of ['voice-worker', 'voice-gpu-worker']) {
          const worker = containerOf(one<Deployment>(rendered[overlay].objects, 'Deployment', name));
          assert.equal(worker.livenessProbe?.httpGet?.path, '/metrics', name);
          assert.equal(
            portNumber(worker, worker.livenessProbe?.httpGet?.port ?? ''),
            Number(configMap.data['METRICS_PORT']),
          );
        }
      }
    });

    test('metrics ports are named metrics (METRICS_PORT) and temporal-metrics (TEMPORAL_METRICS_PORT), and pods are annotated for scraping', () => {
      for (const overlay of OVERLAYS) {
        const configMap = byKind<ConfigMap>(rendered[overlay].objects, 'ConfigMap')[0] as ConfigMap;
        assert.equal(configMap.data['METRICS_PORT'], '9464');
        assert.equal(configMap.data['TEMPORAL_METRICS_PORT'], '9465');
        for (const name of DEPLOYMENTS) {
          const deployment = one<Deployment>(rendered[overlay].objects, 'Deployment', name);
          const container = containerOf(deployment);
          assert.equal(portNumber(container, 'metrics'), 9464, name);
          // The API runs no Temporal worker, so only the workers have the SDK's metrics.
          if (name !== 'voice-api') assert.equal(portNumber(container, 'temporal-metrics'), 9465, name);
          const annotations = deployment.spec.template.metadata.annotations ?? {};
          assert.equal(annotations['prometheus.io/scrape'], 'true', name);
          assert.equal(annotations['prometheus.io/port'], configMap.data['METRICS_PORT'], name);
          assert.equal(annotations['prometheus.io/path'], '/metrics', name);
        }
      }
    });

    test('every Deployment has a PodDisruptionBudget that selects its pods and lets a node drain', () => {
      for (const overlay of OVERLAYS) {
        const budgets = byKind<PodDisruptionBudget>(rendered[overlay].objects, 'PodDisruptionBudget');
        for (const name of DEPLOYMENTS) {
          const pods = one<Deployment>(rendered[overlay].objects, 'Deployment', name).spec.template.metadata.labels;
          const matching = budgets.filter((budget) => selects(budget.spec.selector, pods));
          assert.equal(matching.length, 1, `${overlay}: one PodDisruptionBudget for ${name}`);
          assert.equal(matching[0]?.spec.maxUnavailable, 1, `${overlay} ${name}: one pod at a time`);
        }
      }
    });

    test('the HPA scales voice-api and KEDA scales voice-gpu-worker on its Temporal activity backlog; neither pins replicas', () => {
      const { objects } = rendered.prod;
      const configMap = byKind<ConfigMap>(objects, 'ConfigMap')[0] as ConfigMap;
      const hpa = one<HorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', 'voice-api');
      assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'voice-api' });
      assert.ok((hpa.spec.minReplicas ?? 1) >= 2 && hpa.spec.maxReplicas > (hpa.spec.minReplicas ?? 1));

      const scaledObject = one<ScaledObject>(objects, 'ScaledObject', 'voice-gpu-worker');
      const target = scaledObject.spec.scaleTargetRef;
      assert.equal(target.kind, 'Deployment');
      assert.equal(target.name, 'voice-gpu-worker');
      const gpu = one<Deployment>(objects, 'Deployment', target.name);
      const container = containerOf(gpu);
      assert.equal(target.envSourceContainerName, container.name);
      assert.equal(scaledObject.spec.triggers.length, 1);
      const trigger = scaledObject.spec.triggers[0] as ScaledObject['spec']['triggers'][number];
      assert.equal(trigger.type, 'temporal');
      assert.equal(trigger.metadata['queueTypes'], 'activity');
      assert.ok(Number(trigger.metadata['targetQueueSize']) >= 1);
      // KEDA reads *FromEnv from the target container's environment: it must be the queue the worker polls.
      const env = literalEnv(container, configMap);
      const resolved = (key: string) => trigger.metadata[key] ?? env[trigger.metadata[`${key}FromEnv`] ?? ''];
      assert.equal(resolved('taskQueue'), 'voice-gpu');
      assert.equal(resolved('taskQueue'), env['TASK_QUEUE_GPU']);
      assert.equal(resolved('endpoint'), configMap.data['TEMPORAL_ADDRESS']);
      assert.match(resolved('endpoint') ?? '', /^[\w.-]+:\d+$/);
      assert.equal(resolved('namespace'), configMap.data['TEMPORAL_NAMESPACE']);
      assert.ok((scaledObject.spec.maxReplicaCount ?? 0) > (scaledObject.spec.minReplicaCount ?? 0));

      // A fixed count would be reset by every `kubectl apply`, fighting the autoscalers.
      assert.equal(one<Deployment>(objects, 'Deployment', 'voice-api').spec.replicas, undefined);
      assert.equal(gpu.spec.replicas, undefined);
      // Dev has neither autoscaler (no metrics-server or KEDA needed on a laptop).
      assert.deepEqual(byKind(rendered.dev.objects, 'ScaledObject'), []);
      assert.deepEqual(byKind(rendered.dev.objects, 'HorizontalPodAutoscaler'), []);
    });

    test('every variable the containers read is one packages/config knows, and each pod environment passes parseEnv', async () => {
      const known = new Set(Object.keys(envSchema.shape));
      const template = await readSecretTemplate();
      const secretKeys = new Set([...template.required, ...template.optional.map((entry) => entry.key)]);
      for (const key of secretKeys) assert.ok(known.has(key), `Secret key ${key} is a variable of packages/config`);
      for (const key of REQUIRED_SECRET_KEYS) assert.ok(template.required.includes(key), `the template sets ${key}`);
      // Values for the Secret made up here, the way an operator would generate them.
      const secrets: Record<string, string> = {
        DATABASE_URL: 'postgres://voice:pw@postgres.invalid:5432/voice',
        JWT_SECRET: randomBytes(32).toString('base64'),
        DATA_ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
        S3_ACCESS_KEY_ID: randomBytes(8).toString('hex'),
        S3_SECRET_ACCESS_KEY: randomBytes(20).toString('hex'),
      };
      for (const overlay of OVERLAYS) {
        const configMap = byKind<ConfigMap>(rendered[overlay].objects, 'ConfigMap')[0] as ConfigMap;
        for (const key of Object.keys(configMap.data)) assert.ok(known.has(key), `${overlay} ConfigMap ${key}`);
        for (const name of ['TEMPORAL_ADDRESS', 'S3_ENDPOINT', 'PUBLIC_BASE_URL']) {
          assert.ok(configMap.data[name], `${overlay} sets the external endpoint ${name}`);
        }
        for (const deployment of byKind<Deployment>(rendered[overlay].objects, 'Deployment')) {
          const container = containerOf(deployment);
          const label = `${overlay} ${deployment.metadata.name}`;
          const fromSecret: Record<string, string> = {};
          for (const source of container.envFrom ?? []) {
            if (!source.secretRef) continue;
            assert.equal(source.secretRef.name, template.secret.metadata.name, label);
            Object.assign(fromSecret, secrets);
          }
          for (const variable of container.env ?? []) {
            assert.ok(known.has(variable.name), `${label} env ${variable.name}`);
            const ref = variable.valueFrom?.secretKeyRef;
            if (ref) {
              assert.equal(ref.name, template.secret.metadata.name, label);
              assert.ok(secretKeys.has(ref.key), `${label}: ${ref.key} is a key of the Secret template`);
              fromSecret[variable.name] = secrets[ref.key] ?? '';
            }
          }
          const env = parseEnv({ ...literalEnv(container, configMap), ...fromSecret });
          assert.equal(env.NODE_ENV, 'production', label);
          assert.equal(env.STORAGE_DRIVER, 's3', label);
          assert.equal(env.TEMPORAL_ADDRESS, configMap.data['TEMPORAL_ADDRESS'], label);
          assert.equal(env.METRICS_PORT, 9464, label);
        }
      }
    });

    test('no secret value is in the manifests: no Secret object, no secret key as config or literal, placeholders only in the template', async () => {
      const template = await readSecretTemplate();
      const secretKeys = new Set([...template.required, ...template.optional.map((entry) => entry.key)]);
      const placeholder = /^<[^<>]+>$/;
      for (const [key, value] of Object.entries(template.secret.stringData)) {
        assert.match(value, placeholder, `template ${key} holds a placeholder`);
      }
      for (const { key, value } of template.optional) assert.match(value, placeholder, `template ${key}`);
      for (const overlay of OVERLAYS) {
        const { objects } = rendered[overlay];
        assert.deepEqual(byKind(objects, 'Secret'), [], `${overlay} renders no Secret: it is created out of band`);
        const configMap = byKind<ConfigMap>(objects, 'ConfigMap')[0] as ConfigMap;
        for (const key of Object.keys(configMap.data))
          assert.ok(!secretKeys.has(key), `${overlay} ConfigMap has ${key}`);
        for (const deployment of byKind<Deployment>(objects, 'Deployment')) {
          for (const variable of containerOf(deployment).env ?? []) {
            if (secretKeys.has(variable.name)) {
              assert.equal(
                variable.value,
                undefined,
                `${deployment.metadata.name} ${variable.name} comes from the Secret`,
              );
            }
          }
        }
      }
    });

    test('on shutdown each pod gets longer than SHUTDOWN_GRACE_SECONDS plus its preStop pause; the API pauses so endpoints drain', () => {
      for (const overlay of OVERLAYS) {
        const configMap = byKind<ConfigMap>(rendered[overlay].objects, 'ConfigMap')[0] as ConfigMap;
        for (const deployment of byKind<Deployment>(rendered[overlay].objects, 'Deployment')) {
          const container = containerOf(deployment);
          const grace = Number(literalEnv(container, configMap)['SHUTDOWN_GRACE_SECONDS']);
          assert.ok(grace > 0, `${deployment.metadata.name} sets SHUTDOWN_GRACE_SECONDS`);
          const preStop = container.lifecycle?.preStop;
          const sleepArgs = preStop?.exec?.command;
          const pause = preStop?.sleep?.seconds ?? (sleepArgs?.[0] === 'sleep' ? Number(sleepArgs[1]) : 0);
          const budget = deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30;
          assert.ok(
            budget > pause + grace,
            `${overlay} ${deployment.metadata.name}: ${budget} s > ${pause} + ${grace} s`,
          );
          if (deployment.metadata.name === 'voice-api') assert.ok(pause >= 5, 'the API waits for endpoint removal');
        }
      }
    });

    test('NetworkPolicies deny by default; the API admits the ingress controller and monitoring, workers only monitoring; egress reaches DNS, PostgreSQL, Temporal and S3', () => {
      for (const overlay of OVERLAYS) {
        const { objects } = rendered[overlay];
        const policies = byKind<NetworkPolicy>(objects, 'NetworkPolicy');
        const configMap = byKind<ConfigMap>(objects, 'ConfigMap')[0] as ConfigMap;
        const temporalPort = Number(/:(\d+)$/.exec(configMap.data['TEMPORAL_ADDRESS'] ?? '')?.[1]);
        const s3Url = new URL(configMap.data['S3_ENDPOINT'] ?? '');
        const s3Port = Number(s3Url.port || (s3Url.protocol === 'https:' ? 443 : 80));
        for (const name of DEPLOYMENTS) {
          const deployment = one<Deployment>(objects, 'Deployment', name);
          const container = containerOf(deployment);
          const pods = deployment.spec.template.metadata.labels;
          const applying = policies.filter((policy) => selects(policy.spec.podSelector, pods));
          const label = `${overlay} ${name}`;
          // The default deny: both directions, no rule.
          assert.ok(
            applying.some(
              (policy) =>
                policy.spec.policyTypes?.includes('Ingress') &&
                policy.spec.policyTypes.includes('Egress') &&
                !policy.spec.ingress &&
                !policy.spec.egress,
            ),
            `${label} is under a default-deny policy`,
          );
          const admitted = new Set<string>();
          const egress = new Set<string>();
          for (const policy of applying) {
            for (const rule of policy.spec.ingress ?? []) {
              assert.ok(rule.from && rule.from.length > 0, `${label}: every ingress rule names its sources`);
              for (const source of rule.from) {
                assert.equal(source.podSelector, undefined, `${label}: sources are namespaces`);
                const namespace = source.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
                assert.ok(namespace, `${label}: a named namespace`);
                for (const port of rule.ports ?? [])
                  admitted.add(`${namespace}:${portNumber(container, port.port ?? '')}`);
              }
            }
            for (const rule of policy.spec.egress ?? []) {
              for (const port of rule.ports ?? []) egress.add(`${port.protocol ?? 'TCP'}/${port.port}`);
            }
          }
          const expectedIngress =
            name === 'voice-api' ? ['ingress-nginx:3000', 'monitoring:9464'] : ['monitoring:9464', 'monitoring:9465'];
          assert.deepEqual([...admitted].sort(), expectedIngress, `${label} ingress`);
          for (const needed of ['UDP/53', `TCP/${temporalPort}`, `TCP/${s3Port}`]) {
            assert.ok(egress.has(needed), `${label} may reach ${needed}`);
          }
          // The GPU worker never touches the database; the others need it.
          assert.equal(egress.has('TCP/5432'), name !== 'voice-gpu-worker', `${label} PostgreSQL egress`);
        }
      }
    });

    test('the prod Ingress sends its TLS host to the voice-api Service, with a body limit above MAX_UPLOAD_BYTES and no buffering', () => {
      const { objects } = rendered.prod;
      const ingress = one<Ingress>(objects, 'Ingress', 'voice-api');
      const service = one<K8sObject & { spec: { ports: Array<{ name?: string }> } }>(objects, 'Service', 'voice-api');
      const rule = ingress.spec.rules[0];
      assert.ok(rule?.host);
      assert.ok(ingress.spec.tls?.some((tls) => tls.hosts?.includes(rule.host ?? '') && tls.secretName));
      const backend = rule.http.paths[0]?.backend.service;
      assert.equal(backend?.name, service.metadata.name);
      assert.ok(service.spec.ports.some((port) => port.name === backend?.port.name));
      const configMap = byKind<ConfigMap>(objects, 'ConfigMap')[0] as ConfigMap;
      assert.equal(
        new URL(configMap.data['PUBLIC_BASE_URL'] ?? '').host,
        rule.host,
        'PUBLIC_BASE_URL is the Ingress host',
      );
      const annotations = ingress.metadata.annotations ?? {};
      const bodySize = /^(\d+)([kmg])$/i.exec(annotations['nginx.ingress.kubernetes.io/proxy-body-size'] ?? '');
      assert.ok(bodySize);
      const bytes =
        Number(bodySize[1]) *
        { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[(bodySize[2] ?? 'm').toLowerCase() as 'k' | 'm' | 'g'];
      const maxUpload = envSchema.shape.MAX_UPLOAD_BYTES.parse(configMap.data['MAX_UPLOAD_BYTES']);
      assert.ok(bytes > maxUpload, `proxy-body-size ${bytes} > MAX_UPLOAD_BYTES ${maxUpload}`);
      assert.equal(annotations['nginx.ingress.kubernetes.io/proxy-request-buffering'], 'off');
      assert.equal(annotations['nginx.ingress.kubernetes.io/proxy-buffering'], 'off');
    });
  },
);
