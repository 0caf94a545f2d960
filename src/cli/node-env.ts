/**
 * The user-facing environment overrides of a node, read here and nowhere
 * else (README, "The data path"): DXLAB_CRYPTO=native|openssl|ipsec-mb|node picks the GCM
 * engine of every MACsec port, winning over the file's `crypto`, so that one
 * variable reaches every node a lab or `npm run bench:link` starts (the node
 * processes inherit it); DXLAB_FASTPATH=0 turns the addon's fast path off;
 * DXLAB_TAP_OFFLOAD=0, DXLAB_TAP_COALESCE=0 and DXLAB_PACKET_RING=v2|v3 say
 * how the node opens its devices (README, "The data path"), as do the
 * experiments of issue 23: DXLAB_BATCH=1..1024 (frames per read batch),
 * DXLAB_BUSY_POLL_US=0..1000, DXLAB_SERVE_ORDER=own|wire|tap and
 * DXLAB_SO_BUSY_POLL=0..1000 (README, "The live link", for what each gave). The inner layers
 * take these as options (NodeOverrides, KernelDeviceOptions), so a test or an
 * embedding program sets them without touching process.env.
 */
import { CRYPTO_CHOICES, type CryptoChoice } from '../io/index.js';
import type { KernelDeviceOptions, NodeOverrides } from '../node/index.js';
import { CliError } from './errors.js';

/**
 * The overrides from `env`; `crypto` (`dxlab node --crypto`) wins over DXLAB_CRYPTO.
 * @throws CliError('usage') naming the variable for a value it does not take.
 */
export function nodeOverrides(env: NodeJS.ProcessEnv, crypto?: string): NodeOverrides {
  const out: NodeOverrides = {};
  const engine = crypto || env.DXLAB_CRYPTO;
  if (engine) {
    if (!(CRYPTO_CHOICES as readonly string[]).includes(engine)) throw new CliError('usage', `DXLAB_CRYPTO must be one of ${CRYPTO_CHOICES.join(', ')}, got '${engine}'`);
    out.crypto = engine as CryptoChoice;
  }
  const fast = env.DXLAB_FASTPATH;
  if (fast !== undefined && fast !== '') {
    if (fast !== '0' && fast !== '1') throw new CliError('usage', `DXLAB_FASTPATH must be 0 (off) or 1 (on, the default), got '${fast}'`);
    out.fastPath = fast === '1';
  }
  return out;
}

/** 0 or 1 (empty: unset). @throws CliError('usage') naming the variable. */
function flag(env: NodeJS.ProcessEnv, name: string, meaning: string): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (v !== '0' && v !== '1') throw new CliError('usage', `${name} must be 0 or 1 (${meaning}), got '${v}'`);
  return v === '1';
}

/** One of `values` (empty: unset). @throws CliError('usage') naming the variable. */
function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[]): T | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!(values as readonly string[]).includes(v)) throw new CliError('usage', `${name} must be ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}, got '${v}'`);
  return v as T;
}

/** A whole number in min..max (empty: unset). @throws CliError('usage') naming the variable. */
function integer(env: NodeJS.ProcessEnv, name: string, min: number, max: number, meaning: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw new CliError('usage', `${name} must be a whole number ${min} to ${max} (${meaning}), got '${v}'`);
  return n;
}

/**
 * How the node opens its devices, from DXLAB_TAP_OFFLOAD, DXLAB_TAP_COALESCE, DXLAB_PACKET_RING,
 * DXLAB_BATCH, DXLAB_BUSY_POLL_US, DXLAB_SO_BUSY_POLL and DXLAB_SERVE_ORDER.
 * @throws CliError('usage') naming the variable for a value it does not take.
 */
export function nodeDeviceOptions(env: NodeJS.ProcessEnv): KernelDeviceOptions {
  const out: KernelDeviceOptions = {};
  const offload = flag(env, 'DXLAB_TAP_OFFLOAD', 'TAP offloads, on by default');
  if (offload !== undefined) out.tapOffload = offload;
  const coalesce = flag(env, 'DXLAB_TAP_COALESCE', 'coalescing TCP segments into the TAP, on by default');
  if (coalesce !== undefined) out.tapCoalesce = coalesce;
  const batch = integer(env, 'DXLAB_BATCH', 1, 1024, 'frames per read batch, 64 by default');
  if (batch !== undefined) out.batch = batch;
  const busy = integer(env, 'DXLAB_BUSY_POLL_US', 0, 1000, 'microseconds of busy-polling after a batch, 0 by default');
  if (busy !== undefined) out.busyPollUs = busy;
  const soBusy = integer(env, 'DXLAB_SO_BUSY_POLL', 0, 1000, 'SO_BUSY_POLL microseconds on the wire socket, 0 by default');
  if (soBusy !== undefined) out.soBusyPoll = soBusy;
  const serve = oneOf(env, 'DXLAB_SERVE_ORDER', ['own', 'wire', 'tap'] as const);
  if (serve !== undefined) out.serve = serve;
  const ring = oneOf(env, 'DXLAB_PACKET_RING', ['off', 'v2', 'v3'] as const);
  if (ring !== undefined) out.packetRing = ring;
  return out;
}
