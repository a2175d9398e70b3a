import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

type SearchAttributeTypeName = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

const indexedValueTypes: Record<SearchAttributeTypeName, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Text: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** The repository's temporal-config/ folder, found relative to this package in the workspace. */
export function temporalConfigDir(): string {
  return path.resolve(__dirname, '../../../../temporal-config');
}

export function loadSearchAttributeConfig(dir = temporalConfigDir()): Record<string, SearchAttributeTypeName> {
  return JSON.parse(readFileSync(path.join(dir, 'search-attributes.json'), 'utf8')) as Record<
    string,
    SearchAttributeTypeName
  >;
}

/**
 * Makes an external cluster ready for our workflows: the namespace exists and the custom search attributes
 * are registered. Idempotent, so every start may run it.
 */
export async function ensureTemporalSetup(
  client: Client,
  namespace: string,
  searchAttributes = loadSearchAttributeConfig(),
): Promise<{ registered: string[] }> {
  try {
    await client.workflowService.describeNamespace({ namespace });
  } catch {
    await client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('7 days'),
    });
  }
  const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.entries(searchAttributes).filter(([name]) => !known.has(name));
  if (missing.length > 0) {
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, indexedValueTypes[type]])),
    });
  }
  return { registered: missing.map(([name]) => name) };
}

export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

/** Ready when the Temporal frontend answers. */
export function temporalProbe(client: Client): ReadinessProbe {
  return {
    name: 'temporal',
    async check() {
      await client.workflowService.getSystemInfo({});
    },
  };
}

/** Ready when some worker has recently polled the queue for the given kind of task. */
export function workerProbe(
  client: Client,
  name: string,
  taskQueue: string,
  kind: 'workflow' | 'activity',
): ReadinessProbe {
  return {
    name,
    async check() {
      const response = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType:
          kind === 'workflow'
            ? temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
            : temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      if ((response.pollers ?? []).length === 0) throw new Error(`no worker is polling ${taskQueue} for ${kind} tasks`);
    },
  };
}
