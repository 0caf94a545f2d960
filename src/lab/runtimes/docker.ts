/**
 * A node as a Docker container, on the engine DXLAB_DOCKER_HOST names
 * (docker/engine.ts), from the node image (docker/node-image.ts, built by
 * `prepare` when the engine does not have it).
 *
 * Two containers per node, as a Kubernetes pod has: a holder, started at
 * `create` with no network (`--network none`), whose network namespace is
 * the node's (named `dxlab-<lab>-<node>` with `ip netns attach` from the
 * holder's PID, so that links, TAPs, captures and `down` find it as they
 * find a namespace of the netns-process runtime); and the node itself,
 * started by the supervisor in that namespace (`--network container:`),
 * whose container lives as long as its process. Links are veth pairs moved
 * into the namespaces (links/veth.ts), never a Docker network: a Linux
 * bridge drops EAPOL and never forwards LACP (DESIGN.md).
 *
 * The node container gets NET_ADMIN and NET_RAW only (TAPs, AF_PACKET,
 * addresses and routes) and /dev/net/tun; its configuration and key files
 * are mounted read-only, its control socket's folder (`<lab dir>/<node>.run`)
 * and the lab's capture folder read-write. Everything carries the label
 * `dxlab.lab=<lab>`, by which `down` removes it (`removeLab`), also after a
 * kill -9 of dxlab.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LabError } from '../errors.js';
import { dockerHostSetting } from '../paths.js';
import { NODE_PROCESS_FLAGS, ip, waitForNode } from '../host.js';
import { DOCKER_BIN, docker, dockerArgs, dockerAsync, labDockerHost } from '../docker/engine.js';
import { IMAGE_NODE_BIN, IMAGE_PROJECT_DIR, buildNodeImage } from '../docker/node-image.js';
import type { NodeRuntime, RuntimeNode } from './types.js';

export const LAB_LABEL = 'dxlab.lab';

/** The environment a node process reads (src/cli/node-env.ts, the control client's timeout). */
const NODE_ENV = ['DXLAB_CRYPTO', 'DXLAB_FASTPATH', 'DXLAB_PACKET_RING', 'DXLAB_TAP_COALESCE', 'DXLAB_TAP_OFFLOAD', 'DXLAB_CONTROL_TIMEOUT_S'];

/** The image `prepare` built or found in this process (`dxlab up`), so that each node's `create` does not hash the inputs again. */
let preparedTag: string | undefined;

/** The node's container; its holder is `<name>-ns`. */
export const containerName = (lab: string, node: string) => `dxlab-${lab}-${node}`;
const holderName = (lab: string, node: string) => `${containerName(lab, node)}-ns`;

/** The folder of a node's control socket, the one folder of the lab's it may write. */
const RUN_DIR_RE = /^[a-z][a-z0-9]{0,15}\.run$/;

/** The image `create` used for the holder: the node runs from the same (read back in the supervisor's process). */
function imageOf(host: string, lab: string, node: string): string {
  return docker(host, ['inspect', '--format', '{{.Config.Image}}', holderName(lab, node)]).trim();
}

/** Every file path the node configuration names as a key file (ports[].macsec.keyFile, and any other `keyFile`). */
export function keyFilesOf(config: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'keyFile' && typeof x === 'string') out.add(x);
        else walk(x);
      }
  };
  walk(config);
  return [...out];
}

/** `docker run` arguments of the node container (not the image or command). */
export function nodeRunArgs(n: RuntimeNode, config: { captureDir?: string }, keyFiles: string[]): string[] {
  const ro = (p: string) => ['-v', `${p}:${p}:ro`];
  // `-e NAME` passes NAME on only where the client's environment has it: the node's own settings (cli/node-env.ts).
  const passEnv = NODE_ENV.flatMap((k) => ['-e', k]);
  return [
    'run', '--rm', '--name', containerName(n.lab, n.name),
    '--label', `${LAB_LABEL}=${n.lab}`, '--label', `dxlab.node=${n.name}`,
    '--network', `container:${holderName(n.lab, n.name)}`,
    '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--device', '/dev/net/tun',
    '--log-driver', 'none',
    ...ro(n.config),
    ...keyFiles.flatMap(ro),
    '-v', `${dirname(n.socket)}:${dirname(n.socket)}`,
    ...(config.captureDir ? ['-v', `${config.captureDir}:${config.captureDir}`] : []),
    ...passEnv,
    '--entrypoint', IMAGE_NODE_BIN,
  ];
}

function launchContainer(n: RuntimeNode, onExit: (code: number | null, signal: string | null) => void, detach = false) {
  const host = labDockerHost();
  const config = JSON.parse(readFileSync(n.config, 'utf8')) as { captureDir?: string };
  if (config.captureDir) mkdirSync(config.captureDir, { recursive: true });
  // A container of the node's last run that the engine has not removed yet (--rm removes it after the client ended) would hold the name.
  try {
    docker(host, ['rm', '-f', containerName(n.lab, n.name)]);
  } catch {
    /* none */
  }
  const argv = [...nodeRunArgs(n, config, keyFilesOf(config)), imageOf(host, n.lab, n.name), ...NODE_PROCESS_FLAGS, `${IMAGE_PROJECT_DIR}/bin/dxlab.js`, 'node', '--config', n.config];
  const fd = openSync(n.log, 'a');
  try {
    // Attached (`docker run` without -d): the client lives as long as the container and passes a SIGTERM on (its signal proxy).
    const child = spawn(DOCKER_BIN, dockerArgs(host, argv), { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new LabError('process', `could not start the container of node ${n.name}`);
    child.once('exit', (code, signal) => onExit(code, signal));
    child.on('error', () => undefined);
    if (detach) child.unref();
    return {
      pid: child.pid,
      kill: (signal: 'SIGTERM' | 'SIGKILL') => {
        // A SIGKILL cannot be passed on by the client: the engine kills the container, then the client ends.
        if (signal === 'SIGKILL') void dockerAsync(host, ['kill', '--signal', 'KILL', containerName(n.lab, n.name)]).catch(() => undefined);
        try {
          child.kill(signal === 'SIGKILL' ? 'SIGTERM' : signal);
        } catch {
          /* gone meanwhile */
        }
      },
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the lab's containers (by label) and its nodes' socket folders.
 * @returns what was removed and what is left, as `down` says them.
 */
export async function removeDockerLab(lab: string, dir: string | undefined, hostSetting = dockerHostSetting(), nodes?: readonly string[]): Promise<{ removed: string[]; leftover: string[] }> {
  const removed: string[] = [];
  const leftover: string[] = [];
  let host: string | undefined;
  try {
    host = labDockerHost(hostSetting);
  } catch {
    host = undefined;
  }
  if (host) {
    try {
      // One host's part of a lab across hosts (`nodes`): only its nodes' containers, should the other host's share this engine.
      const ours = (name: string) => !nodes || nodes.some((n) => name === containerName(lab, n) || name === holderName(lab, n));
      // ID and name from one `docker ps`: an inspect after it raced a container that went meanwhile ("No such object").
      const list = () =>
        docker(host!, ['ps', '-a', '--filter', `label=${LAB_LABEL}=${lab}`, '--format', '{{.ID}} {{.Names}}'])
          .split('\n')
          .filter(Boolean)
          .map((x) => x.split(' ') as [string, string])
          .map(([id, name]) => ({ id, name }))
          .filter((c) => ours(c.name));
      const found = list();
      const ids = found.map((c) => c.id);
      if (ids.length) {
        const names = found.map((c) => c.name);
        // A container that went since the list fails the rm ("No such container"); what is really left, the list after says.
        await dockerAsync(host, ['rm', '-f', ...ids]).catch(() => undefined);
        removed.push(...names.map((x) => `container ${x}`));
      }
      const left = list();
      leftover.push(...left.map((x) => `container ${x.name}`));
    } catch (e) {
      leftover.push(`containers of lab ${lab} (${(e as Error).message})`);
    }
  }
  const runDirs = dir && existsSync(dir) ? readdirSync(dir).filter((x) => RUN_DIR_RE.test(x)) : [];
  if (!host) {
    // The lab had docker nodes (their socket folders say so), but no engine is named: say so, and keep the folders, so that a `down` with it finds the lab again.
    if (runDirs.length) leftover.push(`the containers of lab ${lab} (label ${LAB_LABEL}=${lab}): DXLAB_DOCKER_HOST is not set, so they were not looked for; run dxlab down ${lab} again with it`);
    return { removed, leftover };
  }
  if (dir && runDirs.length) {
    for (const name of runDirs) {
      const p = join(dir, name);
      if (!RUN_DIR_RE.test(name) || !lstatSync(p).isDirectory()) continue;
      try {
        for (const f of readdirSync(p)) if (/^[a-z][a-z0-9]{0,15}\.sock$/.test(f)) unlinkSync(join(p, f));
        rmdirSync(p);
      } catch (e) {
        leftover.push(`folder ${p} (${(e as Error).message})`);
      }
    }
  }
  return { removed, leftover };
}

export const dockerRuntime: NodeRuntime = {
  name: 'docker',
  readyTimeoutMs: 60_000,
  socketPath: (dir, node) => join(dir, `${node}.run`, `${node}.sock`),
  prepare: async (progress) => {
    preparedTag = buildNodeImage(labDockerHost(), progress).tag;
  },
  create: (n) => {
    const host = labDockerHost();
    const tag = (preparedTag ??= buildNodeImage(host).tag);
    mkdirSync(dirname(n.socket), { recursive: true, mode: 0o700 });
    docker(host, [
      'run', '-d', '--name', holderName(n.lab, n.name),
      '--label', `${LAB_LABEL}=${n.lab}`, '--label', `dxlab.node=${n.name}`,
      '--network', 'none', '--cap-drop', 'ALL', '--log-driver', 'none',
      // Docker turns IPv6 off in a container's namespace without an IPv6 network; a VIF's TAP carries IPv6 addresses.
      '--sysctl', 'net.ipv6.conf.all.disable_ipv6=0', '--sysctl', 'net.ipv6.conf.default.disable_ipv6=0',
      '--entrypoint', IMAGE_NODE_BIN, tag, '-e', 'setInterval(() => {}, 1 << 30)',
    ]);
    const pid = Number(docker(host, ['inspect', '--format', '{{.State.Pid}}', holderName(n.lab, n.name)]).trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new LabError('process', `node ${n.name}: its holder container has no process`);
    ip('netns', 'attach', n.netns, String(pid));
    ip('-n', n.netns, 'link', 'set', 'lo', 'up');
  },
  // `dxlab restart` with no supervisor running: the client outlives this process, as a netns-process node does.
  start: (n) => launchContainer(n, () => undefined, true).pid,
  launch: (n, onExit) => launchContainer(n, onExit),
  ready: (n) => waitForNode({ node: n.name, pid: n.pid, socket: n.socket, log: n.log }, 60_000),
  removeLab: (lab, dir, nodes) => removeDockerLab(lab, dir, dockerHostSetting(), nodes),
};
