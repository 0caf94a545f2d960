/**
 * The node image (`dxlab image build node`): built on this machine with no
 * registry (nothing can be pulled), as a root file system assembled from
 * what runs a node here, then `docker import`ed:
 *
 * - the host's Node.js binary, and iproute2's `ip` (the node configures its
 *   TAPs and routes with it, src/node/node.ts), at /usr/local/bin and
 *   /usr/sbin;
 * - the shared libraries those and the native addons (build/Release/
 *   dxio.node, better-sqlite3's) link, as `ldd` lists them, at the paths the
 *   dynamic loader looks them up; and the one the addon opens itself with
 *   dlopen where the host has it (intel-ipsec-mb's libIPSec_MB.so.1, the
 *   `ipsec-mb` GCM engine: src/io/native/gcm-ipsecmb.c), found as the
 *   loader finds it (`ldconfig -p`), with what it links;
 * - the built project at /opt/dxlab: dist/, bin/, the addon, package.json, the JSON schemas the CLI loads
 *   and the production dependencies (`npm ls --omit=dev`).
 *
 * Tagged `dxlab-node:<version>-<hash>`, the hash over those inputs (the
 * binaries by path, size and change time, node_modules by package-lock.json,
 * the rest by contents), so it is rebuilt only when one of
 * them changes; also tagged `dxlab-node:<version>`, the tag a Compose file
 * names (`dxlab compose`). Its default command is `dxlab node`, which needs only
 * NET_ADMIN, NET_RAW and /dev/net/tun (runtimes/docker.ts).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { CHECKOUT } from '../paths.js';
import { docker } from './engine.js';
import type { Topology } from '../topology.js';

export const NODE_IMAGE_REPO = 'dxlab-node';
/** Where the project lives inside the image. */
export const IMAGE_PROJECT_DIR = '/opt/dxlab';
export const IMAGE_NODE_BIN = '/usr/local/bin/node';
/** Changes when the way the image is assembled changes (a new hash, so a rebuild). */
export const NODE_IMAGE_BUILDER_VERSION = 1;

export interface NodeImageInputs {
  /** Host path -> path in the image, for each binary and library. */
  system: Array<[string, string]>;
  /** Project paths (relative to the checkout) copied whole. */
  project: string[];
  /** Production dependency folders (relative to the checkout). */
  modules: string[];
}

/** The native files a node process loads: the addon and better-sqlite3's (not its build's intermediates). */
function nativeAddons(root: string): string[] {
  const out = [join(root, 'build/Release/dxio.node')];
  const sqlite = join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  if (existsSync(sqlite)) out.push(sqlite);
  return out;
}

/** The libraries `ldd FILE` lists (path as the loader names it), without the vDSO. */
export function parseLdd(out: string): string[] {
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s+(\/\S+)\s+\(/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

/** Libraries the addon loads with dlopen, absent from its `ldd` list (gcm-ipsecmb.c). */
const DLOPENED = ['libIPSec_MB.so.1'];

/**
 * Where `ldconfig -p` says the loader finds `soname` (this machine's
 * architecture first: x86-64 entries on x64), or undefined.
 */
export function parseLdconfig(out: string, soname: string, arch: string = process.arch): string | undefined {
  const found: Array<{ tags: string; path: string }> = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\/\S+)\s*$/.exec(line);
    if (m && m[1] === soname) found.push({ tags: m[2]!, path: m[3]! });
  }
  const native = arch === 'x64' ? found.find((f) => f.tags.includes('x86-64')) : undefined;
  return (native ?? found[0])?.path;
}

/** What goes into the image, from this checkout and this machine. */
export function nodeImageInputs(root = CHECKOUT): NodeImageInputs {
  const nodeBin = realpathSync(process.execPath);
  const ipBin = realpathSync(execFileSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).trim());
  const system: Array<[string, string]> = [
    [nodeBin, IMAGE_NODE_BIN],
    [ipBin, '/usr/sbin/ip'],
  ];
  const libs = new Set<string>();
  for (const f of [nodeBin, ipBin, ...nativeAddons(root)]) for (const l of parseLdd(execFileSync('ldd', [f], { encoding: 'utf8' }))) libs.add(l);
  let ldconfig = '';
  try {
    ldconfig = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
  } catch {
    // No ldconfig: the image gets no dlopen'ed library, and its nodes run the OpenSSL engine.
  }
  for (const soname of DLOPENED) {
    const lib = parseLdconfig(ldconfig, soname);
    if (!lib || !existsSync(lib)) continue;
    libs.add(lib);
    for (const l of parseLdd(execFileSync('ldd', [lib], { encoding: 'utf8' }))) libs.add(l);
  }
  for (const l of [...libs].sort()) system.push([l, l]);
  const modules = execFileSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .map((p) => p.trim())
    .filter((p) => p && p !== root)
    .map((p) => relative(root, p))
    .filter((p) => p.startsWith('node_modules/'))
    .sort();
  // A nested package is copied with its parent's folder.
  const top = modules.filter((m) => !modules.some((o) => o !== m && m.startsWith(o + '/')));
  return { system, project: ['dist', 'bin', 'package.json', 'build/Release/dxio.node', 'src/node/config.schema.json', 'topologies/dxlab.schema.json', 'lab/scenario.schema.json'], modules: top };
}

/** Hash of every file under `p` (path and contents), in a stable order. */
function hashTree(h: ReturnType<typeof createHash>, root: string, p: string): void {
  const abs = join(root, p);
  const st = statSync(abs);
  if (st.isDirectory()) {
    for (const e of readdirSync(abs).sort()) hashTree(h, root, join(p, e));
  } else {
    h.update(p + '\0');
    h.update(readFileSync(abs));
  }
}

/** The hash the tag carries: the binaries, the project's built files and its lock file. */
export function nodeImageHash(inputs: NodeImageInputs, root = CHECKOUT): string {
  const h = createHash('sha256');
  h.update(`builder ${NODE_IMAGE_BUILDER_VERSION}\0`);
  // A binary or library by its identity (path, size, change time) rather than its contents: the Node.js binary
  // alone is ~100 MB, and hashing it made every `up` take seconds longer; a package upgrade changes all three.
  for (const [src, dst] of inputs.system) {
    const st = statSync(realpathSync(src));
    h.update(`${dst}\0${realpathSync(src)}\0${st.size}\0${st.ctimeMs}\0`);
  }
  for (const p of inputs.project) hashTree(h, root, p);
  h.update(inputs.modules.join('\n'));
  if (existsSync(join(root, 'package-lock.json'))) h.update(readFileSync(join(root, 'package-lock.json')));
  return h.digest('hex').slice(0, 12);
}

export function projectVersion(root = CHECKOUT): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The tag a Compose file names (compose/compose-file.ts): dxlab-node:<version>,
 * moved to each image `buildNodeImage` builds or finds, since a Compose file
 * cannot know the hash of a checkout's inputs.
 */
export function composeImageTag(root = CHECKOUT): string {
  return `${NODE_IMAGE_REPO}:${projectVersion(root)}`;
}

/** The tag of the image for this checkout: dxlab-node:<version>-<hash>. */
export function nodeImageTag(inputs = nodeImageInputs(), root = CHECKOUT): string {
  return `${NODE_IMAGE_REPO}:${projectVersion(root)}-${nodeImageHash(inputs, root)}`;
}

export function nodeImageExists(host: string, tag: string): boolean {
  try {
    docker(host, ['image', 'inspect', '--format', '{{.Id}}', tag]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the node image cannot run node `node` of `topo`, or undefined: the
 * image carries Node.js, ip and the project, not BIRD, so a node whose VIF
 * runs BGP with `speaker: bird` cannot run in a container (docker runtime,
 * Compose, Kubernetes) and is refused before anything is made.
 */
export function imageCannotRun(topo: Topology, node: string): string | undefined {
  const vif = topo.vifs.find((v) => v.bgp?.speaker?.[node] === 'bird');
  return vif ? `node ${node}: VIF ${vif.name} runs BGP with BIRD (speaker: bird), which the node image does not carry; use speaker builtin for a node in a container` : undefined;
}

/**
 * Builds the node image on the engine at `host` unless it has it.
 * @returns its tag and whether it was built now.
 */
export function buildNodeImage(host: string, progress: (line: string) => void = () => {}, root = CHECKOUT): { tag: string; built: boolean } {
  progress('node image: hashing its inputs');
  const inputs = nodeImageInputs(root);
  const tag = nodeImageTag(inputs, root);
  if (nodeImageExists(host, tag)) {
    docker(host, ['tag', tag, composeImageTag(root)]);
    progress(`node image ${tag}: built already (also tagged ${composeImageTag(root)})`);
    return { tag, built: false };
  }
  const work = mkdtempSync(join(tmpdir(), 'dxlab-node-image-'));
  try {
    const fs = join(work, 'root');
    progress(`node image ${tag}: ${inputs.system.length} binaries and libraries`);
    for (const [src, dst] of inputs.system) {
      mkdirSync(join(fs, dirname(dst)), { recursive: true });
      cpSync(realpathSync(src), join(fs, dst), { dereference: true });
    }
    progress(`node image ${tag}: the project (${inputs.project.join(', ')}) and ${inputs.modules.length} production packages`);
    const dest = join(fs, IMAGE_PROJECT_DIR);
    for (const p of [...inputs.project, ...inputs.modules]) {
      mkdirSync(join(dest, dirname(p)), { recursive: true });
      cpSync(join(root, p), join(dest, p), { recursive: true, dereference: true });
    }
    for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev', 'run']) mkdirSync(join(fs, d), { recursive: true, mode: d === 'tmp' ? 0o1777 : 0o755 });
    progress(`node image ${tag}: packing`);
    const tar = join(work, 'root.tar');
    execFileSync('tar', ['-C', fs, '--numeric-owner', '--owner=0', '--group=0', '-cf', tar, '.'], { stdio: 'ignore' });
    progress(`node image ${tag}: docker import`);
    docker(host, [
      'import',
      '--change', 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change', `WORKDIR ${IMAGE_PROJECT_DIR}`,
      '--change', `ENTRYPOINT ["${IMAGE_NODE_BIN}", "${IMAGE_PROJECT_DIR}/bin/dxlab.js"]`,
      '--change', 'CMD ["node", "--help"]',
      '--change', `LABEL dxlab.image=node dxlab.version=${projectVersion(root)}`,
      tar,
      tag,
    ], { timeoutMs: 300_000 });
    docker(host, ['tag', tag, composeImageTag(root)]);
    progress(`node image ${tag}: built (also tagged ${composeImageTag(root)}, the tag Compose files name)`);
    return { tag, built: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
