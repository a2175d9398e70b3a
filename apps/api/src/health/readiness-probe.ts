/**
 * A dependency the API needs before it can serve traffic. `check` resolves when it is ready and rejects
 * (with a reason that is logged, never sent to clients) when it is not.
 */
export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}
