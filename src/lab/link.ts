/**
 * The smallest lab, as a shorthand: `dxlab link up` generates a two-node
 * topology (a customer router `rt` and a DX device `dx`, joined at their
 * ports `eth1`, each with an untagged TAP addressed as on a private VIF's
 * /30, plus optional VLAN TAPs) and runs it through the one lab runtime
 * (lab.ts), so that `down`, state files, captures and crash clean-up are the
 * lab's. The integration tests and the link benchmark build on it.
 *
 *   netns dxlab-<lab>-rt                      netns dxlab-<lab>-dx
 *   TAP rt0 169.254.100.1/30                  TAP dx0 169.254.100.2/30
 *     node (router) --- veth (MACsec) --- node (dx-device)
 */
import { randomBytes } from 'node:crypto';
import type { EncryptionMode } from '../mka/index.js';
import { BASE_MTU, KEY_SERVER_PRIORITY, WIRE_EXTRA } from './constants.js';
import type { CryptoChoice } from '../io/index.js';
import { LabError } from './errors.js';
import { awsRuleBroken, DEFAULT_DX_SPEED } from './kinds/index.js';
import { labUp, updateLabState, type LabNodeState, type LabState } from './lab.js';
import { checkLabName, netnsName } from './paths.js';
import { netnsExists } from './host.js';
import { readStateFile } from './state-dir.js';
import { tearDown, type DownResult } from './teardown.js';
import { resolveTopology } from './topology.js';

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

/** A node of the link: the lab's node state, with the link's names for its node, wire, TAP and address. */
export interface LinkNodeState extends LabNodeState {
  node: 'rt' | 'dx';
  wire: string;
  tap: string;
  address: string;
}

export interface LinkState extends LabState {
  kind: 'link';
  mtu: number;
  wireMtu: number;
  nodes: LinkNodeState[];
  /** What the shorthand changed to run it, such as AWS's rules lifted on `dx` for a cipher suite AWS does not take. */
  notes: string[];
  /** The lab's key file (root-only, mode 0600): the CKN/CAK pair, which the node configs reference. The state holds no key. */
  keyFile: string;
}

/** AWS takes only 32-octet CKNs and CAKs (directconnect-api.md V3). */
const GENERATED_KEY_LEN = 32;
const ADDRESS = { rt: '169.254.100.1/30', dx: '169.254.100.2/30' } as const;

/**
 * The lab's CKN/CAK pair: the given pair, checked, or a fresh one drawn for
 * this lab, so that no two labs share a key and no key sits in the source.
 * @throws LabError('badKey') naming the option, never its value.
 */
function labKeyPair(o: LinkOptions): { ckn: string; cak: string } {
  if ((o.ckn === undefined) !== (o.cak === undefined)) throw new LabError('badKey', 'give both ckn and cak, or neither (a fresh pair is drawn for the lab)');
  const check = (v: string, what: string, lengths: string, ok: (n: number) => boolean): string => {
    const h = v.toLowerCase();
    if (!/^([0-9a-f]{2})+$/.test(h)) throw new LabError('badKey', `${what}: expected hexadecimal, whole octets`);
    if (!ok(h.length / 2)) throw new LabError('badKey', `${what}: a ${what.toUpperCase()} is ${lengths} octets, got ${h.length / 2}`);
    return h;
  };
  const ckn = o.ckn !== undefined ? check(o.ckn, 'ckn', '1 to 32', (n) => n >= 1 && n <= 32) : randomBytes(GENERATED_KEY_LEN).toString('hex');
  const cak = o.cak !== undefined ? check(o.cak, 'cak', '16 or 32', (n) => n === 16 || n === 32) : randomBytes(GENERATED_KEY_LEN).toString('hex');
  return { ckn, cak };
}

/**
 * The topology `dxlab link up` runs (topologies/dxlab.schema.json), with
 * what it had to change: when the options ask the DX device for something
 * AWS does not do (a 128-bit suite, a 16-octet CAK), `awsStrict: false` on
 * `dx` and a note naming the AWS rule.
 */
export function linkTopology(o: LinkOptions, pair: { ckn: string; cak: string }): { raw: Record<string, unknown>; notes: string[] } {
  const mtu = o.mtu ?? BASE_MTU;
  const macsec = {
    mode: o.mode ?? 'should_encrypt',
    cipherSuites: o.cipherSuites ?? ['gcm-aes-xpn-256'],
    keyChain: [pair],
    keyServerPriority: { dx: KEY_SERVER_PRIORITY.awsSide, rt: KEY_SERVER_PRIORITY.customer },
    ...(o.fast ? { profile: 'fast' } : {}),
  };
  const notes: string[] = [];
  const broken = awsRuleBroken(DEFAULT_DX_SPEED, { ...macsec, keyServerPriority: {} });
  if (broken) notes.push(`dx runs with awsStrict: false, as asked: ${broken.msg.split(';')[0]}`);
  const logLevel = o.logLevel ? { logLevel: o.logLevel } : {};
  const raw = {
    name: o.name,
    topology: {
      nodes: { rt: { kind: 'router', ...logLevel }, dx: { kind: 'dx-device', speed: DEFAULT_DX_SPEED, ...(broken ? { awsStrict: false } : {}), ...logLevel } },
      links: [{ endpoints: ['rt:eth1', 'dx:eth1'], macsec }],
      vifs: [
        { name: 'link', mtu, endpoints: ['rt:eth1', 'dx:eth1'], ipv4: [ADDRESS.rt, ADDRESS.dx] },
        ...(o.vlans ?? []).map((v, i) => ({
          name: `vlan${v.vlan}-${i}`,
          vlan: v.dxVlan !== undefined && v.dxVlan !== v.vlan ? [v.vlan, v.dxVlan] : v.vlan,
          mtu,
          endpoints: ['rt:eth1', 'dx:eth1'],
          ipv4: [v.rtAddress ?? `169.254.${101 + i}.1/30`, v.dxAddress ?? `169.254.${101 + i}.2/30`],
          ...(v.only ? { only: v.only === 'rt' ? 'customer' : 'aws' } : {}),
        })),
      ],
      ...(o.capture ? { captures: ['rt:eth1', 'dx:eth1'] } : {}),
    },
  };
  return { raw, notes };
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
 * Builds the link and starts both nodes through the lab runtime; resolves
 * when both control sockets answer. The CKN/CAK pair goes to the lab's key
 * file (`keys.json` in its state folder, mode 0600), which both node configs
 * reference; `linkDown` removes it.
 * @throws LabError ('badName', 'badKey', 'exists', 'host', 'timeout', 'topology'); what was created is removed again.
 */
export async function linkUp(o: LinkOptions): Promise<LinkState> {
  checkLabName(o.name);
  if (netnsExists(netnsName(o.name, 'rt')) || netnsExists(netnsName(o.name, 'dx'))) {
    throw new LabError('exists', `a lab named '${o.name}' exists already: dxlab link down ${o.name}`);
  }
  const { raw, notes } = linkTopology(o, labKeyPair(o));
  const topo = resolveTopology(raw, `dxlab link up ${o.name}`);
  const lab = await labUp(topo, o.name, undefined, { kind: 'link', topologyLabel: `dxlab link up ${o.name}`, ...(o.crypto ? { crypto: o.crypto } : {}) });
  const mtu = o.mtu ?? BASE_MTU;
  const state: LinkState = {
    ...lab,
    kind: 'link',
    mtu,
    wireMtu: Math.max(BASE_MTU, mtu) + WIRE_EXTRA,
    notes,
    keyFile: lab.keyFiles![0]!,
    nodes: lab.nodes.map((n) => {
      const node = n.name as 'rt' | 'dx';
      const tap = n.taps.find((t) => t.vif === 'link')!;
      return { ...n, node, wire: n.wires.eth1!, tap: tap.name, address: ADDRESS[node] };
    }),
  };
  try {
    // The link's own fields on the state as it is on disk: the lab's supervisor writes it too.
    updateLabState(o.name, (s) => {
      const { nodes, ...rest } = state;
      Object.assign(s, { ...rest, ...s, kind: 'link', mtu: rest.mtu, wireMtu: rest.wireMtu, notes, keyFile: rest.keyFile });
      for (const n of s.nodes) Object.assign(n, nodes.find((x) => x.name === n.name), n);
    });
  } catch (e) {
    await linkDown(o.name).catch(() => undefined);
    throw e;
  }
  return state;
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
