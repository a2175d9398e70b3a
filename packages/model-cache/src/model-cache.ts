/**
 * Keeps inference sessions loaded between jobs and unloads them after an idle period, so a worker
 * serving many models does not hold every one in memory forever.
 */
export class ModelSessionCache<Session> {
  private readonly entries = new Map<string, { session: Promise<Session>; inUse: number; timer?: NodeJS.Timeout }>();

  /**
   * @param onLoaded told how long each successful load took (the GPU worker records voice_model_load_seconds), with
   *   the id the session is cached under
   */
  constructor(
    private readonly idleUnloadMs: number,
    private readonly dispose: (session: Session) => void | Promise<void> = () => undefined,
    private readonly onLoaded?: (id: string, seconds: number) => void,
  ) {}

  /** Runs `use` with the cached session for `id`, loading it on first use. */
  async with<T>(id: string, load: () => Promise<Session>, use: (session: Session) => Promise<T>): Promise<T> {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { session: this.timed(id, load), inUse: 0 };
      this.entries.set(id, entry);
      // A failed load must not poison the cache for the next attempt.
      entry.session.catch(() => this.entries.delete(id));
    }
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.inUse += 1;
    try {
      return await use(await entry.session);
    } finally {
      entry.inUse -= 1;
      if (entry.inUse === 0) this.scheduleUnload(id);
    }
  }

  private async timed(id: string, load: () => Promise<Session>): Promise<Session> {
    const started = performance.now();
    const session = await load();
    this.onLoaded?.(id, (performance.now() - started) / 1000);
    return session;
  }

  loadedIds(): string[] {
    return [...this.entries.keys()];
  }

  async clear(): Promise<void> {
    const ids = [...this.entries.keys()];
    await Promise.all(ids.map((id) => this.unload(id)));
  }

  private scheduleUnload(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.timer = setTimeout(() => void this.unload(id), this.idleUnloadMs);
    // An idle timer must not keep a shutting-down worker alive.
    entry.timer.unref();
  }

  private async unload(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry || entry.inUse > 0) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.entries.delete(id);
    await this.dispose(await entry.session);
  }
}
