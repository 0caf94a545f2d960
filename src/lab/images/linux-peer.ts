/**
 * The linux-peer guest image: a minimal Debian bookworm root built by
 * debootstrap, whose kernel (Linux 6.1, with the macsec driver as a module)
 * and initramfs QEMU boots directly (-kernel/-initrd), the root an ext4 disk
 * opened read-write on a throwaway overlay (`snapshot=on`), so one image
 * serves every VM at once and none changes it.
 *
 * Cached outside the clone, keyed by a hash of the builder's inputs
 * (suite, packages, the guest's init script, BUILDER_VERSION; not the
 * mirror, which serves the same packages), so a
 * machine builds it once and a change to any input builds a new one:
 * `${DXLAB_IMAGE_CACHE:-/var/cache/dxlab/images}/linux-peer-<hash>/`.
 *
 * Sources: debootstrap(8) (`--variant=minbase`, `--include=a,b`: Debian's
 * manual page); mke2fs(8) `-d ROOT` fills the file system from a folder
 * without a loop mount; QEMU's "Direct Linux Boot" (qemu-options: -kernel,
 * -initrd, -append) and `-drive ...,snapshot=on` (writes go to a temporary
 * file, the image is not changed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LabError } from '../errors.js';
import { processAlive } from '../host.js';
import { imageCacheRoot } from '../paths.js';
import { removeBuildFolder } from './build-folder.js';

/** Raise when the build steps change in a way the inputs below do not show. */
export const BUILDER_VERSION = 1;
export const SUITE = 'bookworm';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
/** What the guest runs: the kernel, MKA (wpa_supplicant's macsec_linux driver), `ip macsec`, BIRD for BGP, and tools to look. */
export const GUEST_PACKAGES = ['linux-image-amd64', 'wpasupplicant', 'iproute2', 'bird2', 'tcpdump', 'iperf3', 'iputils-ping', 'kmod'] as const;
/** Printed on the console by the guest's init once the shell reads commands. */
export const READY_MARK = 'DXLAB-GUEST-READY';

/**
 * The guest's PID 1: no systemd (seconds of TCG boot for services the peer
 * does not use); it mounts what the tools need, loads macsec (the driver
 * `ip macsec` and wpa_supplicant's macsec_linux use) and serves a shell on
 * the serial console, the control channel the runtime talks through.
 */
export const GUEST_INIT = `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/wpa_supplicant /run/bird
hostname linux-peer
ip link set lo up
modprobe macsec
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
stty -echo -onlcr -icanon 2>/dev/null </dev/ttyS0
echo ${READY_MARK} >/dev/ttyS0
exec sh </dev/ttyS0 >/dev/ttyS0 2>&1
`;

export interface ImageInputs {
  suite: string;
  packages: readonly string[];
  init: string;
  builder: number;
}

export function imageInputs(): ImageInputs {
  return { suite: SUITE, packages: GUEST_PACKAGES, init: GUEST_INIT, builder: BUILDER_VERSION };
}

/** The first 16 hex digits of SHA-256 over the inputs as JSON: the image's name in the cache. */
export function imageKey(inputs: ImageInputs): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

export interface LinuxPeerImage {
  dir: string;
  kernel: string;
  initrd: string;
  disk: string;
  /** The kernel release, e.g. 6.1.0-50-amd64. */
  release: string;
}

function imageAt(dir: string): LinuxPeerImage | undefined {
  const manifest = join(dir, 'image.json');
  if (!existsSync(manifest)) return undefined;
  const m = JSON.parse(readFileSync(manifest, 'utf8')) as { release: string };
  return { dir, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), disk: join(dir, 'root.ext4'), release: m.release };
}

/** The built image for these inputs, or undefined when it is not in the cache yet. */
export function findImage(inputs = imageInputs()): LinuxPeerImage | undefined {
  return imageAt(join(imageCacheRoot(), `linux-peer-${imageKey(inputs)}`));
}

export type Progress = (line: string) => void;

function step(cmd: string, args: string[], progress: Progress, what: string): Promise<void> {
  return new Promise((done, fail) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (b: Buffer): void => {
      const text = b.toString();
      tail = (tail + text).slice(-2000);
      for (const l of text.split('\n')) if (l.trim()) progress(`${what}: ${l.trim()}`);
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('error', (e) => fail(new LabError('host', `${what}: cannot run ${cmd}: ${e.message} (scripts/setup.sh installs it)`)));
    p.on('close', (code) => (code === 0 ? done() : fail(new LabError('host', `${what}: ${cmd} exited ${code}: ${tail.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/** The PIDs of live processes building into `final` (their scratch folders are `${final}.build-PID`). */
export function buildsInProgress(final: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dirname(final));
  } catch {
    return [];
  }
  const prefix = `${basename(final)}.build-`;
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .filter((pid) => pid !== process.pid && processAlive(pid));
}

/**
 * Waits while another live process builds the same image, checking every
 * `pollMs`; returns the PID waited for, if any. A build whose process died
 * left only its scratch folder, which is not waited for.
 */
export async function awaitBuildsInProgress(final: string, progress: Progress = () => {}, pollMs = 2000): Promise<number | undefined> {
  let waited: number | undefined;
  for (let pids = buildsInProgress(final); pids.length; pids = buildsInProgress(final)) {
    if (waited === undefined) progress(`image linux-peer: process ${pids[0]} is building it; waiting for it`);
    waited = pids[0];
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return waited;
}

/**
 * Builds the image unless the cache has it (or another process is building
 * it: then waits for that one and takes its result): debootstrap into a scratch
 * folder beside the final one, the init script, kernel and initramfs copied
 * out, the root packed into ext4, then one rename makes it visible, so an
 * interrupted build leaves no half image that findImage would return.
 * Needs root (debootstrap chroots), debootstrap and e2fsprogs, and Debian's mirror.
 */
export async function buildImage(progress: Progress = () => {}, mirror = DEFAULT_MIRROR, inputs = imageInputs()): Promise<LinuxPeerImage> {
  const root = imageCacheRoot();
  const final = join(root, `linux-peer-${imageKey(inputs)}`);
  // Another process building the same image (CI starts one beside the unit tests, .ci/run): its result, not a second build.
  const other = await awaitBuildsInProgress(final, progress);
  const have = findImage(inputs);
  if (have) {
    progress(`image linux-peer: ${other ? 'built by process ' + other : 'cached'} in ${have.dir}`);
    return have;
  }
  mkdirSync(root, { recursive: true });
  const work = `${final}.build-${process.pid}`;
  removeBuildFolder(work);
  mkdirSync(work);
  try {
    const rootfs = join(work, 'rootfs');
    progress(`image linux-peer: debootstrap ${inputs.suite} from ${mirror} into ${rootfs}`);
    await step('debootstrap', ['--variant=minbase', `--include=${inputs.packages.join(',')}`, inputs.suite, rootfs, mirror], progress, 'debootstrap');
    writeFileSync(join(rootfs, 'sbin/dxlab-init'), inputs.init);
    chmodSync(join(rootfs, 'sbin/dxlab-init'), 0o755);
    // apt's downloaded packages are not needed in the guest and would fill the disk image.
    rmSync(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
    mkdirSync(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
    const boot = join(rootfs, 'boot');
    const kernel = readdirSync(boot).find((f) => f.startsWith('vmlinuz-'));
    if (!kernel) throw new LabError('host', `debootstrap left no kernel in ${boot}`);
    const release = kernel.slice('vmlinuz-'.length);
    if (!existsSync(join(boot, `initrd.img-${release}`))) throw new LabError('host', `debootstrap left no initramfs for ${release} in ${boot}`);
    copyFileSync(join(boot, kernel), join(work, 'vmlinuz'));
    copyFileSync(join(boot, `initrd.img-${release}`), join(work, 'initrd.img'));
    // The root's size plus room for the overlay's writes (logs, wpa_supplicant's sockets live on tmpfs).
    const du = spawnSync('du', ['-sm', rootfs], { encoding: 'utf8' });
    const mb = Math.ceil(Number(du.stdout.split('\t')[0] || 1024) * 1.3) + 64;
    progress(`image linux-peer: packing the root (${mb} MB ext4)`);
    await step('mkfs.ext4', ['-q', '-F', '-L', 'dxlab-root', '-d', rootfs, join(work, 'root.ext4'), `${mb}M`], progress, 'mkfs.ext4');
    removeBuildFolder(rootfs);
    writeFileSync(join(work, 'image.json'), JSON.stringify({ ...inputs, init: undefined, mirror, release, builtAt: new Date().toISOString() }, null, 2) + '\n');
    renameSync(work, final);
  } catch (e) {
    removeBuildFolder(work);
    throw e;
  }
  const img = imageAt(final)!;
  progress(`image linux-peer: built in ${img.dir} (kernel ${img.release}, disk ${Math.round(statSync(img.disk).size / 2 ** 20)} MB)`);
  return img;
}

/**
 * QEMU's arguments to boot the image: TCG (no KVM here), the kernel and
 * initramfs given directly, the root on virtio with writes thrown away, the
 * serial console on stdio (the control channel), and `extra` for NICs.
 */
export function qemuArgs(img: LinuxPeerImage, opts: { memMb?: number; extra?: string[] } = {}): string[] {
  return [
    '-machine', 'q35,accel=tcg',
    '-cpu', 'max',
    '-m', String(opts.memMb ?? 384),
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-kernel', img.kernel,
    '-initrd', img.initrd,
    '-append', 'root=/dev/vda rw console=ttyS0 init=/sbin/dxlab-init quiet panic=-1',
    '-drive', `file=${img.disk},if=virtio,format=raw,snapshot=on`,
    '-serial', 'stdio',
    '-no-reboot',
    ...(opts.extra ?? []),
  ];
}
