/**
 * Runs the Pods of `dxlab k8s`'s manifests under a Docker engine the way a
 * kubelet and meshnet-cni would on one host, for a test: per pod a holder
 * container with no network (the pod sandbox; its network namespace named
 * with `ip netns attach`, as the docker runtime does), each ConfigMap and
 * Secret volume written out as files (Secret files with the volume's
 * defaultMode) and bind-mounted where the pod mounts it, emptyDirs as
 * folders, a CharDevice hostPath as a device; each meshnet link a veth pair
 * moved into the two pods' namespaces under the manifest's interface names
 * (what meshnet does for two pods on one host); then the init containers
 * (which must exit 0) and the containers, with the spec's image, command,
 * args and capabilities, in the pod's namespace. Nothing is taken from the
 * manifests but what a Pod spec says.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { docker } from '../../src/lab/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

export interface RunPodsOptions {
  /** The engine (unix:///...). */
  host: string;
  /** Label put on every container, by which `removePods` finds them. */
  label: string;
  /** Prefix of container and namespace names (unique to the test). */
  prefix: string;
  /** Folder for the pods' volumes. */
  dir: string;
  /** Prefix of the veths' names while they are in the host's namespace (at most 9 characters). */
  vethPrefix: string;
}

export interface RunningPod {
  name: string;
  netns: string;
  /** Host folder of each of its volumes, by volume name. */
  volumes: Record<string, string>;
}

function volumeArgs(pod: Obj, c: Obj, volumes: Record<string, string>, devices: Record<string, string>): string[] {
  const out: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    if (devices[m.name]) out.push('--device', `${devices[m.name]}:${m.mountPath}`);
    else if (volumes[m.name]) out.push('-v', `${volumes[m.name]}:${m.mountPath}${m.readOnly ? ':ro' : ''}`);
    else throw new Error(`pod ${pod.metadata.name}: mount ${m.name} names no volume`);
  }
  return out;
}

function containerArgs(pod: Obj, c: Obj, holder: string, name: string, o: RunPodsOptions, volumes: Record<string, string>, devices: Record<string, string>): string[] {
  const sc = c.securityContext ?? {};
  if (sc.privileged) throw new Error(`pod ${pod.metadata.name}: container ${c.name} is privileged`);
  return [
    'run', '-d', '--name', name, '--label', o.label,
    '--network', `container:${holder}`,
    ...(sc.capabilities?.drop ?? []).flatMap((x: string) => ['--cap-drop', x]),
    ...(sc.capabilities?.add ?? []).flatMap((x: string) => ['--cap-add', x]),
    ...(sc.allowPrivilegeEscalation === false ? ['--security-opt', 'no-new-privileges'] : []),
    ...volumeArgs(pod, c, volumes, devices),
    '--entrypoint', c.command[0],
    c.image,
    ...c.command.slice(1),
    ...(c.args ?? []),
  ];
}

/** The files of a ConfigMap or Secret volume in `dir` (Secret data is base64). */
function writeVolume(dir: string, data: Record<string, string>, base64: boolean, mode: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const [k, v] of Object.entries(data)) {
    const f = join(dir, k);
    writeFileSync(f, base64 ? Buffer.from(v, 'base64') : v, { mode });
    chmodSync(f, mode);
  }
}

/**
 * Starts the pods of `objects`; resolves when every init container has
 * exited 0 and every container runs.
 */
export async function runPods(objects: Obj[], o: RunPodsOptions): Promise<RunningPod[]> {
  const byKind = (k: string) => objects.filter((x) => x.kind === k);
  const pods = byKind('Pod');
  const running: RunningPod[] = [];
  const devicesOf = new Map<string, Record<string, string>>();
  for (const pod of pods) {
    const name = pod.metadata.name as string;
    const holder = `${o.prefix}-${name}-pod`;
    const image = pod.spec.containers[0].image as string;
    // The sandbox: Docker turns IPv6 off in a namespace with no IPv6 network, a kubelet does not.
    docker(o.host, ['run', '-d', '--name', holder, '--label', o.label, '--network', 'none', '--cap-drop', 'ALL', '--sysctl', 'net.ipv6.conf.all.disable_ipv6=0', '--sysctl', 'net.ipv6.conf.default.disable_ipv6=0', '--entrypoint', '/usr/local/bin/node', image, '-e', 'setInterval(() => {}, 1 << 30)']);
    const pid = docker(o.host, ['inspect', '--format', '{{.State.Pid}}', holder]).trim();
    const netns = `${o.prefix}-${name}`;
    execFileSync('ip', ['netns', 'attach', netns, pid]);
    execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    const volumes: Record<string, string> = {};
    const devices: Record<string, string> = {};
    for (const v of pod.spec.volumes ?? []) {
      const dir = join(o.dir, name, v.name);
      if (v.configMap) {
        const cm = byKind('ConfigMap').find((x) => x.metadata.name === v.configMap.name);
        writeVolume(dir, cm.data, false, v.configMap.defaultMode ?? 0o644);
      } else if (v.secret) {
        const s = byKind('Secret').find((x) => x.metadata.name === v.secret.secretName);
        writeVolume(dir, s.data, true, v.secret.defaultMode ?? 0o644);
      } else if (v.emptyDir) {
        mkdirSync(dir, { recursive: true, mode: 0o755 });
      } else if (v.hostPath?.type === 'CharDevice') {
        devices[v.name] = v.hostPath.path;
        continue;
      } else {
        throw new Error(`pod ${name}: volume ${v.name} of a type this runner does not take`);
      }
      volumes[v.name] = dir;
    }
    devicesOf.set(name, devices);
    running.push({ name, netns, volumes });
    // The init containers start now, before meshnet has wired the pod: they must wait for their wires.
    for (const [i, c] of (pod.spec.initContainers ?? []).entries()) docker(o.host, containerArgs(pod, c, holder, `${o.prefix}-${name}-init${i}`, o, volumes, devices));
  }
  // meshnet on one host: each link (one uid, listed by both pods) a veth pair, its ends moved into the pods' namespaces and named as the Topology says.
  const nsOf = (pod: string) => running.find((p) => p.name === pod)!.netns;
  const done = new Set<number>();
  for (const t of byKind('Topology')) {
    for (const l of t.spec.links) {
      if (done.has(l.uid)) continue;
      done.add(l.uid);
      const [a, b] = [`${o.vethPrefix}${l.uid}a`, `${o.vethPrefix}${l.uid}b`];
      execFileSync('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
      execFileSync('ip', ['link', 'set', a, 'netns', nsOf(t.metadata.name), 'name', l.local_intf]);
      execFileSync('ip', ['link', 'set', b, 'netns', nsOf(l.peer_pod), 'name', l.peer_intf]);
      execFileSync('ip', ['-n', nsOf(t.metadata.name), 'link', 'set', l.local_intf, 'up']);
      execFileSync('ip', ['-n', nsOf(l.peer_pod), 'link', 'set', l.peer_intf, 'up']);
    }
  }
  for (const pod of pods) {
    const name = pod.metadata.name as string;
    for (const [i] of (pod.spec.initContainers ?? []).entries()) {
      const c = `${o.prefix}-${name}-init${i}`;
      const code = docker(o.host, ['wait', c], { timeoutMs: 60_000 }).trim();
      if (code !== '0') throw new Error(`pod ${name}: init container ${c} exited ${code}: ${docker(o.host, ['logs', c])}`);
    }
    const holder = `${o.prefix}-${name}-pod`;
    const p = running.find((x) => x.name === name)!;
    for (const c of pod.spec.containers) docker(o.host, containerArgs(pod, c, holder, `${o.prefix}-${name}-${c.name}`, o, p.volumes, devicesOf.get(name)!));
  }
  return running;
}

/** Removes every container labelled `label`, the pods' namespaces (their wires go with them) and any veth left in this namespace by a failed wiring. */
export function removePods(host: string, label: string, netns: string[], vethPrefix?: string): void {
  if (vethPrefix) {
    for (const name of execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n): n is string => !!n && n.startsWith(vethPrefix))) {
      try {
        execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
      } catch {
        /* its peer's removal took it */
      }
    }
  }
  const ids = docker(host, ['ps', '-aq', '--filter', `label=${label}`]).split('\n').filter(Boolean);
  if (ids.length) docker(host, ['rm', '-f', ...ids]);
  for (const ns of netns) {
    try {
      execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
    } catch {
      /* not made */
    }
  }
}
