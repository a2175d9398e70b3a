export function ensureDebianTool(options: { binary: string; pkg: string; envVar?: string }): Promise<string>;
export function ensurePrometheus(): Promise<{ prometheus: string; promtool: string }>;
export function ensureNginx(): Promise<string>;
