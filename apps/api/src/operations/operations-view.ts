import type { OperationsDto } from './dto/operations.dto';
import type { OperationsSnapshot } from './operations.service';

/** A page of the Temporal Web UI under the namespace, or null when the UI's address is not known. */
function uiPage(uiUrl: string | null, namespace: string, ...segments: string[]): string | null {
  if (!uiUrl) return null;
  const base = uiUrl.replace(/\/+$/, '');
  return [base, 'namespaces', namespace, ...segments]
    .map((part, i) => (i === 0 ? part : encodeURIComponent(part)))
    .join('/');
}

export function operationsView(snapshot: OperationsSnapshot, namespace: string, uiUrl: string | null): OperationsDto {
  return {
    readAt: snapshot.readAt.toISOString(),
    taskQueues: snapshot.taskQueues.map((queue) => ({
      role: queue.role,
      name: queue.name,
      kinds: queue.kinds,
      backlog: queue.backlog,
      backlogAgeSeconds: queue.backlogAgeSeconds,
      pollers: queue.pollers,
      ...(queue.error !== undefined ? { error: queue.error } : {}),
      temporalUrl: uiPage(uiUrl, namespace, 'task-queues', queue.name),
    })),
    credits: snapshot.credits
      ? {
          held: snapshot.credits.held,
          holds: snapshot.credits.holds,
          oldestAgeSeconds: snapshot.credits.oldestAgeSeconds,
        }
      : null,
    temporal: {
      namespace,
      uiUrl,
      workflowsUrl: uiPage(uiUrl, namespace, 'workflows'),
      schedulesUrl: uiPage(uiUrl, namespace, 'schedules'),
    },
  };
}
