/**
 * The AWS Direct Connect device: AWS's end of VIFs, with AWS's fixed side of
 * MACsec enforced on each of its MACsec links (docs: the Direct Connect
 * MACsec user guide and API, summarised in directconnect-api.md rules V2, V3
 * and V14 and AWS's MACsec blog post):
 *
 * - V2: cipher suites by port speed: 10G takes GCM-AES-256 and
 *   GCM-AES-XPN-256, 100G and 400G GCM-AES-XPN-256 only;
 * - V3: CKN and CAK of exactly 64 hex digits (256-bit keys only);
 * - V14: the SCI is always sent and required from the peer (includeSci
 *   cannot be false on its links), no 802.1Q tag in clear (0x8100 and
 *   0x88a8 not among the clear-text EtherTypes), confidentiality offset 0.
 *
 * `awsStrict: false` on the node lifts these, for rehearsals against a peer
 * that cannot meet them; `status` then says so.
 */
import type { MacsecOptions, TopoNode } from '../topology.js';
import type { Fail, KindSetChange, NodeKindModule } from './types.js';

export const DX_SPEEDS = ['10G', '100G', '400G'] as const;
export type DxSpeed = (typeof DX_SPEEDS)[number];
/** The speed of a dx-device that names none: the smallest port AWS offers MACsec on. */
export const DEFAULT_DX_SPEED: DxSpeed = '10G';
/** The Direct Connect location a dx-device is at when it names none: the blog's (its create-connection example). */
export const DEFAULT_DX_LOCATION = 'IAD66';

/** V2: the cipher suites of a port of that speed, AWS's preference first (XPN). */
export function dxCipherSuites(speed: DxSpeed): string[] {
  return [...SUITES_BY_SPEED[speed]].reverse();
}

/** V2: the cipher suites an AWS port of each speed takes. */
const SUITES_BY_SPEED: Record<DxSpeed, readonly string[]> = {
  '10G': ['gcm-aes-256', 'gcm-aes-xpn-256'],
  '100G': ['gcm-aes-xpn-256'],
  '400G': ['gcm-aes-xpn-256'],
};
/** 802.1Q C-tag and S-tag EtherTypes: a tag AWS never leaves in clear (V14). */
const VLAN_ETHERTYPES = [0x8100, 0x88a8];
const HEX64 = /^[0-9a-fA-F]{64}$/;

type Broken = { path: Array<string | number>; msg: string } | undefined;
const LIFT = 'awsStrict: false on the node lifts the AWS rules';

/** One check per MACsec setting AWS fixes; each names the rule it enforces. */
const AWS_RULES = {
  key(k: { ckn: string; cak: string }): Broken {
    for (const f of ['ckn', 'cak'] as const) {
      if (!HEX64.test(k[f])) return { path: [f], msg: `AWS rule V3 (directconnect-api.md): a DX device takes a ${f.toUpperCase()} of exactly 64 hex digits, got ${k[f].length}; ${LIFT}` };
    }
    return undefined;
  },
  cipherSuites(speed: DxSpeed, suites: readonly string[]): Broken {
    const allowed = SUITES_BY_SPEED[speed];
    for (const [j, s] of suites.entries()) {
      if (!allowed.includes(s)) return { path: [j], msg: `AWS rule V2 (directconnect-api.md): a ${speed} DX port takes ${allowed.join(' and ')} only, not ${s}; ${LIFT}` };
    }
    return undefined;
  },
  includeSci(v: boolean | undefined): Broken {
    return v === false ? { path: [], msg: `AWS rule V14 (directconnect-api.md): a DX device always sends the SCI and requires it from its peer; ${LIFT}` } : undefined;
  },
  clearTextEtherTypes(types: readonly number[]): Broken {
    for (const [j, t] of types.entries()) {
      if (VLAN_ETHERTYPES.includes(t)) return { path: [j], msg: `AWS rule V14 (directconnect-api.md): a DX device leaves no 802.1Q tag in clear (0x${t.toString(16)}); ${LIFT}` };
    }
    return undefined;
  },
  confidentialityOffset(o: unknown): Broken {
    return o !== undefined && o !== 0 ? { path: [], msg: `AWS rule (aws-dx-macsec blog, directconnect-api.md): a DX device uses confidentiality offset 0, not ${String(o)}; ${LIFT}` } : undefined;
  },
};

const under = (at: string | number, b: Broken): Broken => (b ? { path: [at, ...b.path], msg: b.msg } : undefined);

/**
 * The first AWS rule a MACsec link end on a DX device breaks.
 * @returns the YAML path below the link's macsec and the message, or undefined.
 */
export function awsRuleBroken(speed: DxSpeed, m: MacsecOptions): Broken {
  // AWS keys a MACsec connection through MKA from the CKN/CAK it is given (AssociateMacSecKey): there is no way to hand it SAs.
  if (m.staticSas) return { path: ['staticSas'], msg: 'AWS Direct Connect keys MACsec by MKA from a CKN/CAK (associate-mac-sec-key) only: a DX device takes no static SAs (awsStrict: false lifts the AWS rules)' };
  for (const [j, k] of m.keyChain.entries()) {
    const b = AWS_RULES.key(k);
    if (b) return { path: ['keyChain', j, ...b.path], msg: b.msg };
  }
  return (
    under('cipherSuites', AWS_RULES.cipherSuites(speed, m.cipherSuites)) ??
    under('includeSci', AWS_RULES.includeSci(m.includeSci)) ??
    under('clearTextEtherTypes', AWS_RULES.clearTextEtherTypes(m.clearTextEtherTypes ?? [])) ??
    under('confidentialityOffset', AWS_RULES.confidentialityOffset(m.confidentialityOffset))
  );
}

/**
 * The AWS rule a live change (`dxlab set`) to a DX device's MACsec port
 * breaks: a knob's new value, or a key pair added.
 * @returns the message naming the rule, or undefined.
 */
export function awsRuleBrokenBySet(speed: DxSpeed, change: KindSetChange): string | undefined {
  if ('key' in change) return AWS_RULES.key(change.key)?.msg;
  const v = change.value;
  switch (change.knob) {
    case 'cipherSuites':
      return AWS_RULES.cipherSuites(speed, v as string[])?.msg;
    case 'includeSci':
      return AWS_RULES.includeSci(v as boolean)?.msg;
    case 'clearTextEtherTypes':
      return AWS_RULES.clearTextEtherTypes((v as number[] | null) ?? [])?.msg;
    case 'confidentialityOffset':
      return AWS_RULES.confidentialityOffset(v)?.msg;
    default:
      return undefined;
  }
}

export const dxDevice: NodeKindModule = {
  name: 'dx-device',
  nodeKind: 'dx-device',
  schema: {
    speed: { enum: [...DX_SPEEDS], description: 'Port speed (AWS rule V2 picks the cipher suites by it). Default 10G.' },
    location: { type: 'string', pattern: '^[A-Za-z0-9-]{1,32}$', description: 'The Direct Connect location code its ports are at, for the AWS API (default IAD66).' },
    awsStrict: { type: 'boolean', description: "false lifts AWS's fixed side (64-hex keys, SCI, no tag in clear, offset 0, suites by speed). Default true." },
  },
  vifEnd: 'aws',
  checkMacsec(node: TopoNode, m: MacsecOptions, at: Array<string | number>, fail: Fail) {
    if (node.options?.awsStrict === false) return;
    const broken = awsRuleBroken((node.options?.speed as DxSpeed | undefined) ?? DEFAULT_DX_SPEED, m);
    if (broken) fail([...at, ...broken.path], `node ${node.name}: ${broken.msg}`);
  },
  checkSet(node: TopoNode, change: KindSetChange) {
    if (node.options?.awsStrict === false) return undefined;
    const broken = awsRuleBrokenBySet((node.options?.speed as DxSpeed | undefined) ?? DEFAULT_DX_SPEED, change);
    return broken ? `node ${node.name}: ${broken}` : undefined;
  },
  statusNote: (node) => (node.options?.awsStrict === false ? `node ${node.name}: AWS rules lifted (awsStrict: false)` : undefined),
};
