// System tools that come from Debian packages (Prometheus's promtool, NGINX): found on PATH or in the sbin dirs, or
// installed with apt-get when running as root (CI, a fresh machine). Node built-ins only, so it runs before `npm ci`.
import { isExecutable, isRoot, run, which } from './common.mjs';

let aptUpdated;

/**
 * Returns the absolute path of `binary` from Debian package `pkg`: `$<envVar>`, then PATH and /usr/sbin, else
 * `apt-get install pkg`. Service start-up is suppressed during the install (policy-rc.d exit 101), so installing
 * nginx or prometheus never binds a port or starts a daemon on this machine.
 */
export async function ensureDebianTool({ binary, pkg, envVar }) {
  const fromEnv = envVar ? process.env[envVar] : undefined;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new Error(`${envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const found = await findTool(binary);
  if (found) return found;
  if (!isRoot()) {
    throw new Error(`${binary} not found; install the Debian package: sudo apt-get install ${pkg}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' };
  aptUpdated ??= run('apt-get', ['update', '-qq'], { env, timeoutMs: 10 * 60_000 });
  await aptUpdated;
  await run(
    'sh',
    [
      '-c',
      // A policy that refuses every service start, for the duration of this install only.
      'set -e; p=/usr/sbin/policy-rc.d; had=0; [ -e "$p" ] && had=1 && cp "$p" "$p.voice-bak"; ' +
        'printf "#!/bin/sh\\nexit 101\\n" > "$p"; chmod +x "$p"; ' +
        'status=0; apt-get install -y -qq --no-install-recommends "$1" || status=$?; ' +
        'if [ "$had" = 1 ]; then mv "$p.voice-bak" "$p"; else rm -f "$p"; fi; exit $status',
      'apt-install',
      pkg,
    ],
    { env, timeoutMs: 15 * 60_000 },
  );
  const installed = await findTool(binary);
  if (!installed) throw new Error(`apt-get installed ${pkg} but ${binary} is still not found`);
  return installed;
}

async function findTool(binary) {
  const onPath = await which(binary);
  if (onPath) return onPath;
  for (const dir of ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin']) {
    if (await isExecutable(`${dir}/${binary}`)) return `${dir}/${binary}`;
  }
  return undefined;
}

/** Prometheus server and promtool (Debian `prometheus`): the metrics e2e test and the rule checks use both. */
export async function ensurePrometheus() {
  const prometheus = await ensureDebianTool({ binary: 'prometheus', pkg: 'prometheus', envVar: 'PROMETHEUS_PATH' });
  const promtool = await ensureDebianTool({ binary: 'promtool', pkg: 'prometheus', envVar: 'PROMTOOL_PATH' });
  return { prometheus, promtool };
}

/** NGINX (Debian `nginx`): `nginx -t` on the gateway config, and the round-robin proxy of the scale-out test. */
export function ensureNginx() {
  return ensureDebianTool({ binary: 'nginx', pkg: 'nginx', envVar: 'NGINX_PATH' });
}
