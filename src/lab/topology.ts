/**
 * Topology files: YAML checked against topologies/dxlab.schema.json, then
 * resolved into a lab model with every cross-reference checked (each
 * endpoint names a node, each VIF runs between a router and a DX device over
 * links that connect them). Errors name the file, the line and the YAML path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { LineCounter, parseDocument } from 'yaml';
import { Ajv, type ErrorObject } from 'ajv';
import { LabError } from './errors.js';

const require = createRequire(import.meta.url);
const SCHEMA = require('../../topologies/dxlab.schema.json') as object;
// verbose: an error carries its schema, whose description words a pattern's message.
const validate = new Ajv({ allErrors: false, strict: false, verbose: true }).compile(SCHEMA);

export type NodeKind = 'dx-device' | 'router' | 'switch';

/**
 * Node names (the schema's `topology.nodes` property names): a lower-case
 * letter, then up to 11 letters and digits. No dash, so that the namespace
 * `dxlab-<lab>-<node>` tells lab and node apart; no dot or slash, so that
 * `<node>.json` and the like stay in the lab's folder.
 */
export const NODE_NAME_RE = /^[a-z][a-z0-9]{0,11}$/;

export interface MacsecOptions {
  mode: 'should_encrypt' | 'must_encrypt' | 'no_encrypt';
  cipherSuites: string[];
  keyChain: Array<{ ckn: string; cak: string }>;
  keyServerPriority: Record<string, number>;
  helloTimeMs?: number;
  lifeTimeMs?: number;
  includeSci?: boolean;
  replayWindow?: number;
  pnThreshold?: string;
  sakRekeyIntervalS?: number;
  eapolDestination?: string;
  eapolEtherType?: number;
  clearTextEtherTypes?: number[];
}

export interface Endpoint {
  node: string;
  port: string;
}

export interface TopoLink {
  index: number;
  a: Endpoint;
  b: Endpoint;
  macsec?: MacsecOptions;
  /** The wire's MTU when the topology gives one (any value from 68, so that a too-small one can be shown). */
  mtu?: number;
}

export interface TopoVif {
  name: string;
  vlan: number;
  mtu: number;
  /** Customer router side, then DX device side. */
  ends: [Endpoint, Endpoint];
  ipv4: [string, string];
  ipv6?: [string, string];
  bgp?: {
    customerAsn: number;
    amazonAsn: number;
    md5Key?: string;
    customerPrefixes: string[];
    amazonPrefixes: string[];
    speaker: Record<string, 'builtin' | 'bird'>;
  };
}

export interface Topology {
  file: string;
  name: string;
  nodes: Array<{ name: string; kind: NodeKind; logLevel?: string }>;
  links: TopoLink[];
  vifs: TopoVif[];
  captures: Endpoint[];
}

/** AWS defaults (directconnect-api and the MACsec user guide): should_encrypt, XPN-256 preferred. */
const MACSEC_DEFAULTS = { mode: 'should_encrypt' as const, cipherSuites: ['gcm-aes-xpn-256', 'gcm-aes-256'] };

function endpoint(s: string): Endpoint {
  const [node, port] = s.split(':') as [string, string];
  return { node, port };
}

/**
 * Parses and resolves a topology file.
 * @throws LabError('topology') naming the file, line and YAML path of the first problem.
 */
export function loadTopology(file: string): Topology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LabError('topology', `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseTopology(text, file);
}

export function parseTopology(text: string, file: string): Topology {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new LabError('topology', `${file}:${e.linePos?.[0]?.line ?? '?'}: not YAML: ${e.message.split('\n')[0]}`);
  }
  const at = (path: Array<string | number>): string => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return `${file}:${lines.linePos(node.range[0]).line}`;
    }
    return file;
  };
  const fail = (path: Array<string | number>, msg: string): never => {
    throw new LabError('topology', `${at(path)}: ${path.length ? path.join('.') : '(top)'}: ${msg}`);
  };
  const raw = doc.toJS() as Record<string, any>;
  if (!validate(raw)) {
    // A link's `macsec: true | {...}` fails both branches of its oneOf; the deepest error says what is wrong.
    const e = validate.errors!.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a)) as ErrorObject;
    const path = e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    let msg = e.message ?? 'invalid';
    if (e.keyword === 'enum') msg = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    if (e.keyword === 'additionalProperties') msg = `unknown field '${(e.params as { additionalProperty: string }).additionalProperty}'`;
    if (e.keyword === 'required') msg = `missing field '${(e.params as { missingProperty: string }).missingProperty}'`;
    const described = (e.parentSchema as { description?: string } | undefined)?.description;
    if (e.keyword === 'pattern' && described) msg = `${JSON.stringify(e.data)} is not ${described}`;
    fail(path, msg);
  }
  const t = raw.topology;
  const nodes = Object.entries(t.nodes as Record<string, { kind: NodeKind; logLevel?: string }>).map(([name, n]) => ({ name, kind: n.kind, logLevel: n.logLevel }));
  const nodeOf = (e: Endpoint, path: Array<string | number>) => nodes.find((n) => n.name === e.node) ?? fail(path, `no node named '${e.node}'`);
  const used = new Set<string>();
  const defaults = t.defaults?.macsec ?? {};
  const links: TopoLink[] = (t.links as any[]).map((l, i) => {
    const [a, b] = (l.endpoints as string[]).map(endpoint) as [Endpoint, Endpoint];
    for (const [j, e] of [a, b].entries()) {
      nodeOf(e, ['topology', 'links', i, 'endpoints', j]);
      const key = `${e.node}:${e.port}`;
      if (used.has(key)) fail(['topology', 'links', i, 'endpoints', j], `port ${key} is already on another link`);
      used.add(key);
    }
    if (a.node === b.node) fail(['topology', 'links', i, 'endpoints'], 'a link joins two different nodes');
    let macsec: MacsecOptions | undefined;
    if (l.macsec) {
      const m = { ...MACSEC_DEFAULTS, ...defaults, ...(l.macsec === true ? {} : l.macsec) };
      if (!m.keyChain) fail(['topology', 'links', i, 'macsec'], 'MACsec needs a keyChain (here or in topology.defaults.macsec)');
      // Each CKN names one CAK: a chain holding one twice is a modified associated key (AWS, directconnect-api.md V6).
      const chainAt = l.macsec !== true && l.macsec.keyChain ? ['topology', 'links', i, 'macsec', 'keyChain'] : ['topology', 'defaults', 'macsec', 'keyChain'];
      const ckns = (m.keyChain as Array<{ ckn: string }>).map((k) => k.ckn.toLowerCase());
      for (const [j, ckn] of ckns.entries()) if (ckns.indexOf(ckn) !== j) fail([...chainAt, j, 'ckn'], `CKN ${ckn} is already in this key chain: each CKN names one CAK`);
      const { profile, ...rest } = m;
      macsec = {
        ...rest,
        keyServerPriority: { ...(defaults.keyServerPriority ?? {}), ...(l.macsec === true ? {} : (l.macsec.keyServerPriority ?? {})) },
        ...(profile === 'fast' ? { helloTimeMs: rest.helloTimeMs ?? 500, lifeTimeMs: rest.lifeTimeMs ?? 1500 } : {}),
      };
    }
    return { index: i, a, b, ...(macsec ? { macsec } : {}), ...(l.mtu !== undefined ? { mtu: l.mtu as number } : {}) };
  });
  const vifs: TopoVif[] = ((t.vifs ?? []) as any[]).map((v, i) => {
    const ends = (v.endpoints as string[]).map(endpoint) as [Endpoint, Endpoint];
    const kinds = ends.map((e, j) => nodeOf(e, ['topology', 'vifs', i, 'endpoints', j]).kind);
    if (kinds[0] !== 'router' || kinds[1] !== 'dx-device') fail(['topology', 'vifs', i, 'endpoints'], `a VIF runs from a router's port to a DX device's port, got ${kinds.join(' and ')}`);
    for (const [j, e] of ends.entries()) if (!used.has(`${e.node}:${e.port}`)) fail(['topology', 'vifs', i, 'endpoints', j], `port ${e.node}:${e.port} is on no link`);
    if (!connected(links, nodes, ends[0], ends[1])) fail(['topology', 'vifs', i, 'endpoints'], `${v.endpoints.join(' and ')} are not connected by links (through switches)`);
    for (const family of ['ipv4', 'ipv6'] as const) {
      const problem = v[family] && vifSubnetProblem(family, v[family] as [string, string]);
      if (problem) fail(['topology', 'vifs', i, family], problem);
    }
    return {
      name: v.name,
      vlan: v.vlan,
      mtu: v.mtu ?? t.defaults?.mtu ?? 1500,
      ends,
      ipv4: v.ipv4,
      ...(v.ipv6 ? { ipv6: v.ipv6 } : {}),
      ...(v.bgp
        ? {
            bgp: {
              customerAsn: v.bgp.customerAsn,
              amazonAsn: v.bgp.amazonAsn ?? 64512,
              md5Key: v.bgp.md5Key,
              customerPrefixes: v.bgp.customerPrefixes ?? [],
              amazonPrefixes: v.bgp.amazonPrefixes ?? [],
              speaker: v.bgp.speaker ?? {},
            },
          }
        : {}),
    };
  });
  const captures = ((t.captures ?? []) as string[]).map((c, i) => {
    const e = endpoint(c);
    nodeOf(e, ['topology', 'captures', i]);
    if (!used.has(c)) fail(['topology', 'captures', i], `port ${c} is on no link`);
    return e;
  });
  return { file, name: raw.name, nodes, links, vifs, captures };
}

/**
 * Why a VIF's two addresses of one family cannot talk directly, if they
 * cannot: each end's kernel reaches the other only when the other's address
 * lies in its own prefix (an address taken as a /32 leaves the peer
 * unreachable and BGP Idle with ENETUNREACH). The schema has made sure each
 * has a prefix length.
 */
function vifSubnetProblem(family: 'ipv4' | 'ipv6', addrs: [string, string]): string | undefined {
  const [a, b] = addrs.map((x) => {
    const [addr, len] = x.split('/') as [string, string];
    return { addr, len: Number(len) };
  }) as [{ addr: string; len: number }, { addr: string; len: number }];
  const valid = family === 'ipv4' ? isIPv4 : isIPv6;
  for (const [j, x] of [a, b].entries()) if (!valid(x.addr)) return `${addrs[j]} is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address with its prefix length`;
  if (a.len !== b.len) return `${addrs[0]} and ${addrs[1]} have different prefix lengths: the two ends of a VIF share one subnet`;
  if (a.addr === b.addr) return `both ends have the address ${a.addr}`;
  const subnet = new BlockList();
  subnet.addSubnet(a.addr, a.len, family);
  if (!subnet.check(b.addr, family)) return `${addrs[0]} and ${addrs[1]} are not in one subnet: each end must reach the other directly`;
  return undefined;
}

/** Whether two endpoints' nodes are joined by links whose intermediate nodes are all switches. */
function connected(links: TopoLink[], nodes: Topology['nodes'], from: Endpoint, to: Endpoint): boolean {
  const kind = new Map(nodes.map((n) => [n.name, n.kind]));
  const seen = new Set<string>([from.node]);
  let frontier = [from];
  while (frontier.length) {
    const next: Endpoint[] = [];
    for (const e of frontier) {
      for (const l of links) {
        const other = l.a.node === e.node && (e === from ? l.a.port === from.port : true) ? l.b : l.b.node === e.node && (e === from ? l.b.port === from.port : true) ? l.a : undefined;
        if (!other) continue;
        if (other.node === to.node) return other.port === to.port;
        if (kind.get(other.node) === 'switch' && !seen.has(other.node)) {
          seen.add(other.node);
          next.push(other);
        }
      }
    }
    frontier = next;
  }
  return false;
}
