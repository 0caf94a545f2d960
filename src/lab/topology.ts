/**
 * Topology files: YAML checked against topologies/dxlab.schema.json, then
 * resolved into a lab model with every cross-reference checked (each
 * endpoint names a node, each VIF runs between a router and a DX device over
 * links that connect them). Errors name the file, the line and the YAML path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readYamlText } from '../shared/yaml-text.js';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LabError } from './errors.js';
import { NODE_KINDS, nodeKind } from './kinds/index.js';
import { LINK_TYPES } from './links/index.js';
import { NODE_RUNTIMES } from './runtimes/index.js';
import { checkLagVifEnds, expandLags, resolveLags, throughLag, type TopoLag } from './lags.js';
import { checkHosts } from './hosts.js';
import type { EncryptionMode } from '../mka/index.js';
import { BGP_CONNECT_RETRY_S, BGP_HOLD_TIME_S, BGP_KEEPALIVE_S, NodeError, resolveStaticSasRequest } from '../node/index.js';
import type { RestartPolicy } from './supervisor.js';

const require = createRequire(import.meta.url);
const SCHEMA = withRegistries(require('../../topologies/dxlab.schema.json') as SchemaDoc);
// verbose: an error carries its schema, whose description words a pattern's message.
// Loaded and compiled on first use, not at import (see node/config.ts).
let compiled: ValidateFunction | undefined;
const validator = (): ValidateFunction => (compiled ??= new (require('ajv') as typeof import('ajv')).Ajv({ allErrors: false, strict: false, strictNumbers: true, verbose: true }).compile(SCHEMA));

interface SchemaDoc {
  definitions: Record<string, { properties: Record<string, any>; [k: string]: unknown }>;
  [k: string]: unknown;
}

/**
 * The schema file with the registries filled in: a node's `kind` and
 * `runtime`, a link's `type`, and per kind the fields it declares
 * (kinds/*.ts), which a node of another kind may not use.
 */
function withRegistries(doc: SchemaDoc): SchemaDoc {
  const d = structuredClone(doc);
  const common = d.definitions.node!.properties;
  common.kind = { enum: NODE_KINDS.map((k) => k.name) };
  common.runtime = { enum: NODE_RUNTIMES.map((r) => r.name), description: `Where the node runs (default ${NODE_RUNTIMES[0]!.name}).` };
  d.definitions.link!.properties.type = { enum: LINK_TYPES.map((t) => t.name), description: `How the link is made (default ${LINK_TYPES[0]!.name}).` };
  d.definitions.node = {
    type: 'object',
    required: ['kind'],
    properties: { kind: common.kind },
    allOf: NODE_KINDS.map((k) => ({
      if: { properties: { kind: { const: k.name } } },
      then: { additionalProperties: false, properties: { ...common, ...k.schema } },
    })),
  } as SchemaDoc['definitions'][string];
  return d;
}

/** A topology node: its kind (kinds/), runtime (runtimes/) and the fields its kind declares. */
export interface TopoNode {
  name: string;
  kind: string;
  logLevel?: string;
  runtime?: string;
  /** Whether the lab's supervisor starts it again when its process ends (supervisor.ts); absent: never. */
  restart?: RestartPolicy;
  /** The fields its kind declares (kinds/*.ts `schema`), as given. */
  options?: Record<string, unknown>;
  /** The host it lives on (topology.hosts), in a lab across hosts (hosts.ts). */
  host?: string;
}

/** A host of a lab across hosts: where its end of each VXLAN tunnel is. */
export interface TopoHost {
  underlay: { address: string; interface?: string };
}

/**
 * Node names (the schema's `topology.nodes` property names): a lower-case
 * letter, then up to 11 letters and digits. No dash, so that the namespace
 * `dxlab-<lab>-<node>` tells lab and node apart; no dot or slash, so that
 * `<node>.json` and the like stay in the lab's folder.
 */
export const NODE_NAME_RE = /^[a-z][a-z0-9]{0,11}$/;

/**
 * Names NODE_NAME_RE takes but a node may not have: `<node>.json`,
 * `<node>.log` and `<node>.sock` would be the lab's own state file, key file,
 * supervisor's files or kept topology (topology.json).
 */
export const RESERVED_NODE_NAMES: readonly string[] = ['state', 'keys', 'supervisor', 'topology'];

/** One end's transmit SA of a link's static SAs, as the topology gives it (keys in hex). */
export interface TopoStaticSa {
  an: number;
  key: string;
  pn?: number | string;
  ssci?: number;
  salt?: string;
}

/** A link's static SAs (`macsec.staticSas`): no MKA; `sas` is each end's transmit SA, a's then b's. */
export interface TopoStaticSas {
  cipherSuite: string;
  sas: [TopoStaticSa, TopoStaticSa];
}

export interface MacsecOptions {
  mode: EncryptionMode;
  cipherSuites: string[];
  /** Empty on a link with static SAs. */
  keyChain: Array<{ ckn: string; cak: string }>;
  staticSas?: TopoStaticSas;
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
  confidentialityOffset?: 0 | 30 | 50;
}

export interface Endpoint {
  node: string;
  port: string;
}

export interface TopoLink {
  index: number;
  a: Endpoint;
  b: Endpoint;
  /** Its link type (links/); the registry's first when absent. */
  type?: string;
  /** In-path nodes between its ends (a provider's network); its MACsec still runs between a and b. */
  via?: string[];
  macsec?: MacsecOptions;
  /** The wire's MTU when the topology gives one (any value from 68, so that a too-small one can be shown). */
  mtu?: number;
  /** The LAG (topology.lags, lags.ts) this link is a member of. */
  lag?: string;
  /** The VXLAN Network Identifier of a link between hosts, when the topology gives one (hosts.ts linkVni derives it otherwise). */
  vni?: number;
  /** 'none': its DX device's port is free for the AWS API's CreateConnection (an empty key chain until a key is associated). */
  connection?: 'none';
}

export interface TopoVif {
  name: string;
  /** The customer end's 802.1Q VLAN; absent: untagged TAPs. */
  vlan?: number;
  /** Per end (customer, then AWS): a VLAN each side tags with, which may differ to show a mismatch. */
  vlans?: [number | undefined, number | undefined];
  /** TAPs on this end only: the customer's (side 0) or AWS's (side 1). */
  only?: 'customer' | 'aws';
  mtu: number;
  /** Customer router side, then DX device side. */
  ends: [Endpoint, Endpoint];
  ipv4: [string, string];
  ipv6?: [string, string];
  bgp?: {
    customerAsn: number;
    amazonAsn: number;
    md5Key?: string;
    /** BGP timers of both ends' sessions. @default 90 and 30 (AWS's) */
    holdTimeS?: number;
    keepaliveS?: number;
    /** Seconds between attempts to connect. @default 120 (RFC 4271 §10) */
    connectRetryS?: number;
    customerPrefixes: string[];
    amazonPrefixes: string[];
    speaker: Record<string, 'builtin' | 'bird'>;
  };
}

export interface Topology {
  file: string;
  name: string;
  nodes: TopoNode[];
  links: TopoLink[];
  vifs: TopoVif[];
  captures: Endpoint[];
  /** Link aggregation groups over some of the links (lags.ts). @default [] */
  lags?: TopoLag[];
  /** The hosts a lab across hosts spans, by name (hosts.ts); absent: one host. */
  hosts?: Record<string, TopoHost>;
}

/** AWS defaults (directconnect-api and the MACsec user guide): should_encrypt, XPN-256 preferred. */
const MACSEC_DEFAULTS = { mode: 'should_encrypt' as const, cipherSuites: ['gcm-aes-xpn-256', 'gcm-aes-256'] };

/** 'a' or 'an' before a kind's name. */
function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

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

/**
 * Resolves a topology given as an object (the `dxlab link` shorthand builds
 * one): the same schema and checks as a file; errors name `source` and the path.
 * @throws LabError('topology')
 */
export function resolveTopology(raw: unknown, source: string): Topology {
  return resolve(raw as Record<string, any>, source, () => source);
}

export function parseTopology(text: string, file: string): Topology {
  const y = readYamlText(require('yaml') as typeof import('yaml'), text);
  if (!y.ok) {
    if (y.kind === 'syntax') throw new LabError('topology', `${file}:${y.line ?? '?'}: not YAML: ${y.message}`);
    throw new LabError('topology', `${file}${y.line !== undefined ? `:${y.line}` : ''}: not YAML a topology can be read from: ${y.message}`);
  }
  const at = (path: Array<string | number>): string => {
    const line = y.lineOf(path);
    return line === undefined ? file : `${file}:${line}`;
  };
  return resolve(y.value as Record<string, any>, file, at);
}

function resolve(given: Record<string, any>, file: string, at: (path: Array<string | number>) => string): Topology {
  // A LAG's members become links of type lag before the schema sees them (lags.ts).
  const { raw, lagOfLink, filePath } = expandLags(given);
  const fail = (given: Array<string | number>, msg: string): never => {
    const path = filePath(given);
    throw new LabError('topology', `${at(path)}: ${path.length ? path.join('.') : '(top)'}: ${msg}`);
  };
  const validate = validator();
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
  const nodes: TopoNode[] = Object.entries(t.nodes as Record<string, Record<string, any>>).map(([name, n]) => {
    const { kind, logLevel, runtime, restart, host, ...options } = n;
    if (RESERVED_NODE_NAMES.includes(name)) fail(['topology', 'nodes', name], `'${name}' is not a node name: the lab's folder holds ${name}.* files of its own (reserved: ${RESERVED_NODE_NAMES.join(', ')})`);
    // A kind that only one runtime can run (a linux-peer: a VM) gets it; a runtime that runs only some kinds refuses the others.
    const only = nodeKind(kind).runtime;
    if (only && runtime && runtime !== only) fail(['topology', 'nodes', name, 'runtime'], `a ${kind} runs in the ${only} runtime only`);
    const serves = runtime ? NODE_RUNTIMES.find((r) => r.name === runtime)?.kinds : undefined;
    if (serves && !serves.includes(kind)) fail(['topology', 'nodes', name, 'runtime'], `the ${runtime} runtime runs ${serves.join(', ')} nodes only, not ${article(kind)} ${kind}`);
    const rt = runtime ?? only;
    return { name, kind, ...(logLevel ? { logLevel } : {}), ...(rt ? { runtime: rt } : {}), ...(restart ? { restart } : {}), ...(host ? { host } : {}), options };
  });
  const nodeOf = (e: Endpoint, path: Array<string | number>) => nodes.find((n) => n.name === e.node) ?? fail(path, `no node named '${e.node}'`);
  const used = new Set<string>();
  const inPathUsed = new Set<string>();
  const defaults = t.defaults?.macsec ?? {};
  if (defaults.staticSas) fail(['topology', 'defaults', 'macsec', 'staticSas'], "static SAs belong to one link (each end's transmit SA, its own keys): give them in that link's macsec");
  const links: TopoLink[] = (t.links as any[]).map((l, i) => {
    const [a, b] = (l.endpoints as string[]).map(endpoint) as [Endpoint, Endpoint];
    for (const [j, e] of [a, b].entries()) {
      nodeOf(e, ['topology', 'links', i, 'endpoints', j]);
      const key = `${e.node}:${e.port}`;
      if (used.has(key)) fail(['topology', 'links', i, 'endpoints', j], `port ${key} is already on another link`);
      used.add(key);
    }
    if (a.node === b.node) fail(['topology', 'links', i, 'endpoints'], 'a link joins two different nodes');
    for (const [j, e] of [a, b].entries()) {
      const k = nodeKind(nodes.find((n) => n.name === e.node)!.kind);
      if (k.inPath) fail(['topology', 'links', i, 'endpoints', j], `node ${e.node} is ${article(k.name)} ${k.name}: it sits inside a link (via: [${e.node}]), not at its end`);
    }
    let macsec: MacsecOptions | undefined;
    if (l.macsec) {
      const own = l.macsec === true ? {} : l.macsec;
      const m = { ...MACSEC_DEFAULTS, ...defaults, ...own };
      if (own.staticSas) {
        // Static SAs replace MKA on this link: a key chain from the defaults does not apply to it.
        if (own.keyChain) fail(['topology', 'links', i, 'macsec', 'staticSas'], 'static SAs replace MKA: give staticSas or a keyChain on this link, not both');
        checkStaticSas(own.staticSas as TopoStaticSas, ['topology', 'links', i, 'macsec', 'staticSas'], fail);
        m.keyChain = [];
      } else if (!m.keyChain) fail(['topology', 'links', i, 'macsec'], 'MACsec needs a keyChain (here or in topology.defaults.macsec)');
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
    const via = (l.via ?? []) as string[];
    for (const [j, v] of via.entries()) {
      const n = nodeOf({ node: v, port: '' }, ['topology', 'links', i, 'via', j]);
      if (!nodeKind(n.kind).inPath) fail(['topology', 'links', i, 'via', j], `node ${v} is ${article(n.kind)} ${n.kind}, which cannot sit inside a link (in-path kinds: ${NODE_KINDS.filter((k) => k.inPath).map((k) => k.name).join(', ')})`);
      // An in-path node forwards between exactly two wires: it sits in one place of one link.
      if (inPathUsed.has(v)) fail(['topology', 'links', i, 'via', j], `node ${v} sits in another place already: an in-path node is in one link's via, once`);
      inPathUsed.add(v);
    }
    if (macsec) {
      for (const e of [a, b]) {
        const n = nodes.find((x) => x.name === e.node)!;
        const macsecAt = l.macsec === true ? ['topology', 'defaults', 'macsec'] : ['topology', 'links', i, 'macsec'];
        // A field the link does not set comes from the defaults: `at` then names the nearest line there is.
        nodeKind(n.kind).checkMacsec?.(n, macsec, macsecAt, fail);
      }
    }
    if (l.connection === 'none' && ![a, b].some((e) => nodeKind(nodes.find((x) => x.name === e.node)!.kind).vifEnd === 'aws')) {
      fail(['topology', 'links', i, 'connection'], 'connection: none leaves a DX device port free, and neither end of this link is a dx-device');
    }
    return { index: i, a, b, ...(l.type ? { type: l.type } : {}), via, ...(macsec ? { macsec } : {}), ...(l.mtu !== undefined ? { mtu: l.mtu as number } : {}), ...(l.vni !== undefined ? { vni: l.vni as number } : {}), ...(l.connection === 'none' ? { connection: 'none' as const } : {}) };
  });
  for (const n of nodes) if (nodeKind(n.kind).inPath && !inPathUsed.has(n.name)) fail(['topology', 'nodes', n.name], `node ${n.name} is ${article(n.kind)} ${n.kind}: name it in a link's via`);
  const lags = resolveLags(t.lags, links, nodes, lagOfLink, fail);
  const hosts = t.hosts as Record<string, TopoHost> | undefined;
  checkHosts(hosts, nodes, links, fail);
  // A LAG's logical port is a port VIFs may end on.
  for (const l of lags) for (const n of l.nodes) used.add(`${n}:${l.name}`);
  const vifs: TopoVif[] = ((t.vifs ?? []) as any[]).map((v, i) => {
    const ends = (v.endpoints as string[]).map(endpoint) as [Endpoint, Endpoint];
    const kinds = ends.map((e, j) => nodeOf(e, ['topology', 'vifs', i, 'endpoints', j]).kind);
    if (nodeKind(kinds[0]!).vifEnd !== 'customer' || nodeKind(kinds[1]!).vifEnd !== 'aws') fail(['topology', 'vifs', i, 'endpoints'], `a VIF runs from a customer end's port (${NODE_KINDS.filter((k) => k.vifEnd === 'customer').map((k) => k.name).join(', ')}) to an AWS end's port (${NODE_KINDS.filter((k) => k.vifEnd === 'aws').map((k) => k.name).join(', ')}), got ${kinds.join(' and ')}`);
    for (const [j, e] of ends.entries()) if (!used.has(`${e.node}:${e.port}`)) fail(['topology', 'vifs', i, 'endpoints', j], `port ${e.node}:${e.port} is on no link`);
    if (!connected(links, nodes, throughLag(lags, ends[0]), throughLag(lags, ends[1]))) fail(['topology', 'vifs', i, 'endpoints'], `${v.endpoints.join(' and ')} are not connected by links (through switches)`);
    for (const family of ['ipv4', 'ipv6'] as const) {
      const problem = v[family] && vifSubnetProblem(family, v[family] as [string, string]);
      if (problem) fail(['topology', 'vifs', i, family], problem);
    }
    if (v.only && v.bgp) fail(['topology', 'vifs', i, 'only'], 'a VIF on one end only has no BGP session: it has no peer');
    const vlans: [number | undefined, number | undefined] = Array.isArray(v.vlan) ? [v.vlan[0], v.vlan[1]] : [v.vlan, v.vlan];
    return {
      name: v.name,
      ...(vlans[0] !== undefined ? { vlan: vlans[0] } : {}),
      vlans,
      ...(v.only ? { only: v.only } : {}),
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
              ...bgpTimers(v.bgp, ['topology', 'vifs', i, 'bgp'], fail),
              customerPrefixes: v.bgp.customerPrefixes ?? [],
              amazonPrefixes: v.bgp.amazonPrefixes ?? [],
              speaker: v.bgp.speaker ?? {},
            },
          }
        : {}),
    };
  });
  checkLagVifEnds(vifs, links, fail);
  const captures = ((t.captures ?? []) as string[]).map((c, i) => {
    const e = endpoint(c);
    nodeOf(e, ['topology', 'captures', i]);
    if (!used.has(c)) fail(['topology', 'captures', i], `port ${c} is on no link`);
    return e;
  });
  return { file, name: raw.name, nodes, links, vifs, captures, lags, ...(hosts ? { hosts } : {}) };
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
        if (nodeKind(kind.get(other.node)!).transit && !seen.has(other.node)) {
          seen.add(other.node);
          next.push(other);
        }
      }
    }
    frontier = next;
  }
  return false;
}

/**
 * A link's static SAs, checked as each end's node will check them (the
 * node's resolver: key length for the suite, PN range, SSCI and salt for
 * XPN only), plus what only the pair shows: with XPN the two ends' SSCIs
 * differ, since the IV is the SSCI and the PN under one salt and a link
 * could otherwise hold two SAs sharing IVs (802.1AE-2018 10.7.13, 14.7).
 */
function checkStaticSas(s: TopoStaticSas, at: Array<string | number>, fail: (path: Array<string | number>, msg: string) => never): void {
  try {
    // The peer's SCI is the lab's to fill in (the other end's wire); any valid one checks the rest.
    resolveStaticSasRequest({ cipherSuite: s.cipherSuite, peerSci: '0200000000010001', tx: s.sas[0], rx: [s.sas[1]] });
  } catch (e) {
    if (!(e instanceof NodeError)) throw e;
    // `staticSas/tx/key: ...` names sas[0], `staticSas/rx/0/key: ...` sas[1].
    const m = /^staticSas\/(tx|rx\/0)\/(\w+): (.*)$/s.exec(e.message);
    if (!m) fail(at, e.message.replace(/^staticSas: /, ''));
    fail([...at, 'sas', m![1] === 'tx' ? 0 : 1, m![2]!], m![3]!);
  }
  if (s.cipherSuite.includes('xpn') && s.sas[0].ssci === s.sas[1].ssci) fail([...at, 'sas', 1, 'ssci'], `both ends have SSCI ${s.sas[1].ssci}: each end of a link has its own (802.1AE-2018 10.7.13)`);
}

/**
 * A VIF's BGP timers: AWS's hold time (90 s) and keepalive (30 s) unless
 * the topology shortens them, so that a lab shows a session's end within
 * seconds. RFC 4271 4.2: a hold time is 0 or at least 3 s; 10: keepalives
 * at most a third of it. The connect retry time (RFC 4271 §10's 120 s unless
 * shortened) is how long a speaker whose attempt failed, for example while
 * its link was down, waits before the next one.
 */
function bgpTimers(b: { holdTimeS?: number; keepaliveS?: number; connectRetryS?: number }, at: Array<string | number>, fail: (path: Array<string | number>, msg: string) => never): { holdTimeS: number; keepaliveS: number; connectRetryS: number } {
  const holdTimeS = b.holdTimeS ?? BGP_HOLD_TIME_S;
  const keepaliveS = b.keepaliveS ?? (b.holdTimeS !== undefined ? Math.floor(holdTimeS / 3) : BGP_KEEPALIVE_S);
  if (holdTimeS === 1 || holdTimeS === 2) fail([...at, 'holdTimeS'], `${holdTimeS}: a hold time is 0 or at least 3 seconds (RFC 4271 §4.2)`);
  if (holdTimeS > 0 && keepaliveS * 3 > holdTimeS) fail([...at, 'keepaliveS'], `${keepaliveS} s is more than a third of the hold time ${holdTimeS} s (RFC 4271 §10)`);
  return { holdTimeS, keepaliveS, connectRetryS: b.connectRetryS ?? BGP_CONNECT_RETRY_S };
}
