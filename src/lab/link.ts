/**
 * The smallest lab: two namespaces joined by a veth, a node process in each
 * (a DX device and a customer router), each with a controlled-side TAP
 * (untagged, plus optional VLAN TAPs) addressed as on a private VIF's /30.
 * `dxlab link up|down|status` drives it; the integration tests and the link
 * benchmark build on it.
 *
 *   netns dxlab-<lab>-rt                      netns dxlab-<lab>-dx
 *   TAP rt0 169.254.100.1/30                  TAP dx0 169.254.100.2/30
 *     node (router) --- veth (MACsec) --- node (dx-device)
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeKeyFile, type KeyFile } from '../shared/key-file.js';
import type { CryptoChoice } from '../io/index.js';
import { LabError } from './errors.js';
import { NODE_PROCESS_FLAGS, addNetns, addVeth, netnsExists, spawnInNetns, waitForNode } from './host.js';
import { checkLabName, ifName, labDir, netnsName, stableMac } from './paths.js';
import { claimLabDir, currentOwner, readStateFile, writeFileAtomic, writeStateFile, type LabOwner } from './state-dir.js';
import { tearDown, type DownResult } from './teardown.js';

export type EncryptionMode = 'should_encrypt' | 'must_encrypt' | 'no_encrypt';

export interface LinkOptions {
  name: string;
  /** TAP MTU: 1500, or 9001 as on a DX jumbo VIF. @default 1500 */
  mtu?: number;
  /** @default 'should_encrypt' */
  mode?: EncryptionMode;
  /** @default ['gcm-aes-xpn-256'] */
  cipherSuites?: string[];
  /** Hello 0.5 s, Life 1.5 s instead of 2 s and 6 s. @default false */
  fast?: boolean;
  /** Extra VLAN TAPs: for each, one TAP per node on that VLAN (or only on one side). */
  vlans?: Array<{ vlan: number; rtAddress?: string; dxAddress?: string; only?: 'rt' | 'dx'; dxVlan?: number }>;
  /**
   * The CKN/CAK pair both nodes use (hex: a CKN of 1 to 32 octets, a CAK of
   * 16 or 32). Give both or neither. @default a fresh pair of 32 octets each
   * (as AWS takes them), drawn for this lab and written to its key file only
   */
  ckn?: string;
  cak?: string;
  /** Captures of every side of both ports, and the key export. @default false */
  capture?: boolean;
  /** The GCM engine of both nodes (`dxlab link up --crypto`). @default native where the addon loads */
  crypto?: CryptoChoice;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface LinkNodeState {
  node: 'rt' | 'dx';
  netns: string;
  pid: number;
  socket: string;
  config: string;
  log: string;
  wire: string;
  tap: string;
  address: string;
}

export interface LinkState {
  lab: string;
  kind: 'link';
  /** Who started it, from which checkout. */
  owner: LabOwner;
  createdAt: string;
  mtu: number;
  wireMtu: number;
  nodes: LinkNodeState[];
  captureDir: string;
  /** The lab's key file (root-only, mode 0600): the CKN/CAK pair, which the node configs reference. The state holds no key. */
  keyFile: string;
}

const BIN = resolve(fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url)));
/** MACsec overhead (SecTAG with SCI + ICV) and one 802.1Q tag the node adds. */
const WIRE_EXTRA = 32 + 4;
/** AWS takes only 32-octet CKNs and CAKs (directconnect-api.md V3). */
const GENERATED_KEY_LEN = 32;

/**
 * The lab's CKN/CAK pair as a dxlab key file: the given pair, checked, or a
 * fresh one drawn for this lab, so that no two labs share a key and no key
 * sits in the source.
 * @throws LabError('badKey') naming the option, never its value.
 */
function labKeyFile(o: LinkOptions): KeyFile {
  if ((o.ckn === undefined) !== (o.cak === undefined)) throw new LabError('badKey', 'give both ckn and cak, or neither (a fresh pair is drawn for the lab)');
  const check = (v: string, what: string, lengths: string, ok: (n: number) => boolean): string => {
    const h = v.toLowerCase();
    if (!/^([0-9a-f]{2})+$/.test(h)) throw new LabError('badKey', `${what}: expected hexadecimal, whole octets`);
    if (!ok(h.length / 2)) throw new LabError('badKey', `${what}: a ${what.toUpperCase()} is ${lengths} octets, got ${h.length / 2}`);
    return h;
  };
  const ckn = o.ckn !== undefined ? check(o.ckn, 'ckn', '1 to 32', (n) => n >= 1 && n <= 32) : randomBytes(GENERATED_KEY_LEN).toString('hex');
  const cak = o.cak !== undefined ? check(o.cak, 'cak', '16 or 32', (n) => n === 16 || n === 32) : randomBytes(GENERATED_KEY_LEN).toString('hex');
  return { version: 1, cas: [{ ckn, cak }], saks: [] };
}

/**
 * The state of a link lab.
 * @returns undefined when there is no such lab, or it is not a link.
 * @throws LabError('badName'), 'unsafePath' (state-dir.ts), 'stateUnreadable'
 *   when its state file is empty or not JSON.
 */
export function readLinkState(lab: string): LinkState | undefined {
  const r = readStateFile(lab);
  if (r.status === 'missing') return undefined;
  if (r.status === 'unreadable') throw new LabError('stateUnreadable', `lab ${lab}: its state file ${r.file} is unreadable (${r.reason}); dxlab link down ${lab} removes the lab by its names`);
  return r.value.kind === 'link' ? (r.value as unknown as LinkState) : undefined;
}

/**
 * Builds the link and starts both nodes; resolves when both control sockets answer.
 * The CKN/CAK pair goes to the lab's key file (`keys.json` in its state
 * folder, mode 0600), which both node configs reference; `linkDown` removes it.
 * @throws LabError ('badName', 'badKey', 'exists', 'host', 'timeout'); what was created is removed again.
 */
export async function linkUp(o: LinkOptions): Promise<LinkState> {
  checkLabName(o.name);
  if (netnsExists(netnsName(o.name, 'rt')) || netnsExists(netnsName(o.name, 'dx'))) {
    throw new LabError('exists', `a lab named '${o.name}' exists already: dxlab link down ${o.name}`);
  }
  const keys = labKeyFile(o);
  const mtu = o.mtu ?? 1500;
  claimLabDir(o.name);
  const dir = labDir(o.name);
  const keyFile = join(dir, 'keys.json');
  // Captures outlive the lab: they go to pcaps/<lab>/ under the current folder.
  const captureDir = resolve('pcaps', o.name);
  const state: LinkState = { lab: o.name, kind: 'link', owner: currentOwner(), createdAt: new Date().toISOString(), mtu, wireMtu: mtu + WIRE_EXTRA, nodes: [], captureDir, keyFile };
  const save = () => writeStateFile(o.name, state);
  save();
  try {
    writeFileAtomic(keyFile, serializeKeyFile(keys), 0o600);
    const ns = { rt: netnsName(o.name, 'rt'), dx: netnsName(o.name, 'dx') };
    const wire = { rt: ifName(o.name, 'dxw', 'r'), dx: ifName(o.name, 'dxw', 'd') };
    for (const n of ['rt', 'dx'] as const) {
      addNetns(ns[n]);
      state.nodes.push({ node: n, netns: ns[n], pid: 0, socket: join(dir, `${n}.sock`), config: join(dir, `${n}.json`), log: join(dir, `${n}.log`), wire: wire[n], tap: ifName(o.name, 'dxt', n[0]!), address: n === 'rt' ? '169.254.100.1/30' : '169.254.100.2/30' });
      save();
    }
    addVeth({ ns: ns.rt, name: wire.rt, alias: `dxlab ${o.name} rt eth1` }, { ns: ns.dx, name: wire.dx, alias: `dxlab ${o.name} dx eth1` }, mtu + WIRE_EXTRA);
    for (const n of state.nodes) {
      const mac = (i: number) => stableMac(o.name, `${n.node}/${i}`);
      const taps: Array<Record<string, unknown>> = [{ name: n.tap, mtu, addresses: [n.address], mac: mac(0) }];
      for (const [i, v] of (o.vlans ?? []).entries()) {
        if (v.only && v.only !== n.node) continue;
        const addr = n.node === 'rt' ? (v.rtAddress ?? `169.254.${101 + i}.1/30`) : (v.dxAddress ?? `169.254.${101 + i}.2/30`);
        taps.push({ name: ifName(o.name, 'dxv', `${n.node[0]}${i}`), vlan: n.node === 'dx' ? (v.dxVlan ?? v.vlan) : v.vlan, mtu, addresses: [addr], mac: mac(i + 1) });
      }
      const config = {
        name: n.node,
        kind: n.node === 'dx' ? 'dx-device' : 'router',
        ...(o.crypto ? { crypto: o.crypto } : {}),
        controlSocket: n.socket,
        logLevel: o.logLevel ?? 'info',
        captureDir,
        ports: [
          {
            name: 'eth1',
            wire: n.wire,
            taps,
            macsec: {
              mode: o.mode ?? 'should_encrypt',
              cipherSuites: o.cipherSuites ?? ['gcm-aes-xpn-256'],
              keyFile,
              // The DX device wins the key-server election, as AWS's side does in practice.
              keyServerPriority: n.node === 'dx' ? 16 : 32,
              ...(o.fast ? { helloTimeMs: 500, lifeTimeMs: 1500 } : {}),
            },
            capture: o.capture ? { wire: true, clear: true, decrypted: true, keys: true } : {},
          },
        ],
      };
      writeFileAtomic(n.config, JSON.stringify(config, null, 2) + '\n', 0o600);
    }
    for (const n of state.nodes) {
      n.pid = spawnInNetns(n.netns, [process.execPath, ...NODE_PROCESS_FLAGS, BIN, 'node', '--config', n.config], n.log);
      save();
    }
    await Promise.all(state.nodes.map((n) => waitForNode(n)));
    return state;
  } catch (e) {
    await linkDown(o.name).catch(() => undefined);
    throw e;
  }
}

/**
 * Stops the nodes and removes the namespaces (with their veth and TAPs) and
 * the lab's files, by the lab's names (teardown.ts): also after a crash, and
 * when the state file is gone, empty or garbled. The TAPs go down before
 * either node stops, so that the node stopped last never falls back to clear.
 * @returns what was removed, what could not be (normally nothing), notes.
 * @throws LabError('badName', 'unsafePath') before anything changed.
 */
export async function linkDown(lab: string): Promise<DownResult> {
  return tearDown(lab);
}
