// Types for kustomize.mjs.
import type { EnsureToolOptions } from './minio.mjs';

export declare const KUSTOMIZE_MODULE_VERSION: string;
export declare const KUBECONFORM_MODULE_VERSION: string;
export declare const KUBERNETES_VALIDATE_VERSION: string;
export declare const KUBERNETES_SCHEMA_VERSIONS: readonly string[];
export declare const KEDA_MODULE_VERSION: string;

export declare function ensureKustomize(options?: EnsureToolOptions): Promise<string>;
export declare function ensureKubeconform(options?: EnsureToolOptions): Promise<string>;

export interface K8sSchemas {
  /** Holds `v<version>-local-strict/<kind><kind-suffix>.json` per Kubernetes version (kubeconform's layout). */
  kubernetesDir: string;
  /** e.g. ['1.31.0', '1.37.0']. */
  kubernetesVersions: string[];
  /** KEDA's CustomResourceDefinition manifests (keda.sh_scaledobjects.yaml, …). */
  kedaCrdDir: string;
}

export declare function ensureK8sSchemas(options?: {
  /** Defaults to `<repo>/.cache/k8s-schemas`. */
  schemaDir?: string;
  log?: (message: string) => void;
}): Promise<K8sSchemas>;
