import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DatabaseHandle } from '@voice/db';

import { DATABASE_HANDLE, READINESS_PROBES } from '../common/tokens';
import { ApiLifecycle } from '../lifecycle/api-lifecycle';
import type { HealthResponseDto, HealthStatus, ProbeResultDto } from './dto/health.dto';
import type { ReadinessProbe } from './readiness-probe';

// Orchestrators poll health every few seconds; one stuck dependency must not make the endpoint hang.
const PROBE_TIMEOUT_MS = 3000;

class ProbeTimeoutError extends Error {}

@Injectable()
export class HealthService {
  private readonly logger = new Logger(HealthService.name);
  private readonly probes: readonly ReadinessProbe[];
  private everReady = false;
  /** Last known state per probe, so failures are logged on change rather than on every poll. */
  private readonly lastUp = new Map<string, boolean>();

  constructor(
    @Inject(DATABASE_HANDLE) database: DatabaseHandle,
    @Inject(READINESS_PROBES) probes: readonly ReadinessProbe[],
    private readonly lifecycle: ApiLifecycle,
  ) {
    this.probes = [{ name: 'database', check: () => database.ping() }, ...probes];
  }

  async check(): Promise<HealthResponseDto> {
    // Shutting down: load balancers must stop sending traffic here, whatever the dependencies say.
    if (this.lifecycle.draining) return { status: 'draining', checks: {} };
    const results = await Promise.all(this.probes.map(async (probe) => [probe.name, await this.run(probe)] as const));
    const allUp = results.every(([, result]) => result.status === 'up');
    if (allUp) this.everReady = true;
    const status: HealthStatus = allUp ? 'ok' : this.everReady ? 'degraded' : 'starting';
    return { status, checks: Object.fromEntries(results) };
  }

  private async run(probe: ReadinessProbe): Promise<ProbeResultDto> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new ProbeTimeoutError(`timed out after ${PROBE_TIMEOUT_MS} ms`)),
        PROBE_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([probe.check(), timeout]);
      this.record(probe.name, true);
      return { status: 'up', latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      this.record(probe.name, false, error);
      return {
        status: 'down',
        latencyMs: Math.round(performance.now() - started),
        reason: error instanceof ProbeTimeoutError ? 'timeout' : 'failed',
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private record(name: string, up: boolean, error?: unknown): void {
    const previous = this.lastUp.get(name);
    this.lastUp.set(name, up);
    if (previous === up) return;
    if (up) {
      if (previous === false) this.logger.log(`Readiness probe "${name}" recovered`);
    } else {
      this.logger.warn(`Readiness probe "${name}" failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
