/**
 * A node's configuration: YAML or JSON, checked against
 * src/node/config.schema.json, then resolved into the objects the node uses
 * (keys as octets, suites as objects, defaults filled in). Errors name the
 * file and the field.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { createRequire } from 'node:module';
import { readYamlText } from '../shared/yaml-text.js';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { fromHex, macFromString, macToString, toHex } from '../shared/bytes.js';
import { FormatError } from '../shared/errors.js';
import { parseKeyFile } from '../shared/key-file.js';
import { Secret } from '../shared/secret.js';
import { BgpError, afiOf, formatPrefix, parseAddress, parsePrefix } from '../bgp/index.js';
import { cipherSuiteByName, type CipherSuite } from '../macsec/index.js';
import { KEY_CHAIN_MAX, type EncryptionMode } from '../mka/index.js';
import type { CryptoChoice } from '../io/index.js';
import { NodeError } from './errors.js';
import { KNOB_NAMES, isMacsecKnob, type MacsecKnob } from './knobs.js';
import type { PortRole, ProviderSettings } from './provider.js';
import type { LagNodeConfig } from './lag-port.js';
import { resolveStaticSas, type StaticSasConfig } from './static-sas.js';

const require = createRequire(import.meta.url);
// The schema stays in src/ (shipped with the package), whether this runs from src/ or dist/.
const SCHEMA = require('../../src/node/config.schema.json') as object;

/** The kinds a node process knows; the lab's kinds (src/lab/kinds) each name one of these. */
export type NodeKind = 'dx-device' | 'router' | 'switch' | 'provider' | 'attacker';

/** BGP timers when a session names none: AWS's side runs hold time 90 s, keepalive 30 s (a third of it, RFC 4271 §10). */
export const BGP_HOLD_TIME_S = 90;
export const BGP_KEEPALIVE_S = 30;
/** Seconds between attempts to connect (RFC 4271 §10 ConnectRetryTime's suggested value, and BIRD's default). */
export const BGP_CONNECT_RETRY_S = 120;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TapConfig {
  name: string;
  vlan?: number;
  mtu: number;
  mac?: Uint8Array;
  alias?: string;
  addresses: string[];
  /** An eBGP session on this TAP. */
  /** The first BGP session of this TAP, when it has one. */
  bgp?: BgpConfig;
  /** Every BGP session of this TAP (an IPv4 and an IPv6 one on a dual-stack VIF). */
  bgpSessions: BgpConfig[];
}

/** A TAP's BGP session (README "BGP"), defaults filled in. */
export interface BgpConfig {
  /** @default 'builtin' */
  speaker: 'builtin' | 'bird';
  localAsn: number;
  peerAsn: number;
  peerAddress: string;
  /** @default the TAP's first address of the peer's family */
  localAddress: string;
  /** BGP Identifier. @default localAddress when IPv4, else the TAP's first IPv4 address */
  routerId: string;
  /** @default 90 (AWS Direct Connect) */
  holdTimeS: number;
  /** @default 30 (AWS Direct Connect) */
  keepaliveS: number;
  /** Seconds between attempts to connect. @default 120 (RFC 4271 §10) */
  connectRetryS: number;
  /** TCP MD5 password (RFC 2385). */
  md5Key?: Secret;
  /** Prefixes to advertise, canonical text. @default [] */
  prefixes: string[];
  /** @default false */
  passive: boolean;
  /** Next hop for prefixes of the family the session does not run on (an IPv6 prefix over an IPv4 session): the TAP's first address of that family. */
  nextHop4?: string;
  nextHop6?: string;
}

export interface MacsecConfig {
  mode: EncryptionMode;
  /** The SecY's GCM engine: the node's top-level `crypto`. @default native where the addon loads, else node */
  crypto?: CryptoChoice;
  /** false: every frame through the TypeScript SecY, the addon's fast path off ({@link NodeOverrides}). @default true */
  fastPath?: boolean;
  cipherSuites?: CipherSuite[];
  /** Up to 3 pairs, oldest first, each CKN once; the CAK held in a {@link Secret} so that it never reaches a log or JSON. */
  keyChain: Array<{ ckn: Uint8Array; cak: Secret }>;
  sciPort: number;
  keyServerPriority?: number;
  helloTimeMs?: number;
  lifeTimeMs?: number;
  sakRetireTimeMs?: number;
  pnThreshold?: bigint;
  sakRekeyIntervalS?: number;
  mkaVersion?: number;
  eapolVersion?: number;
  eapolDestination?: Uint8Array;
  eapolEtherType?: number;
  includeSci?: boolean;
  replayProtect?: boolean;
  replayWindow?: number;
  validateFrames?: 'disabled' | 'check' | 'strict';
  delayProtect?: boolean;
  confidentialityOffset?: 0 | 30 | 50 | 'none';
  clearTextEtherTypes?: number[];
  announceCipherSuites?: boolean;
  includeIcvIndicator?: boolean;
  /** Static SAs instead of MKA (static-sas.ts): no KaY, the key chain empty. */
  staticSas?: StaticSasConfig;
}

export interface CaptureConfig {
  wire: boolean;
  clear: boolean;
  decrypted: boolean;
  keys: boolean;
}

export interface PortConfig {
  name: string;
  wire: string;
  taps: TapConfig[];
  /** The LAG (config `lags`) this port is a member of. */
  lag?: string;
  macsec?: MacsecConfig;
  capture: CaptureConfig;
}

/** A provider's or attacker's forwarding between two of its ports (in-path.ts). */
export interface InPathConfig {
  ports: [string, string];
  peers: [string, string];
  roles: [PortRole, PortRole];
  provider?: Partial<ProviderSettings>;
  attacker?: Record<string, never>;
}

export interface NodeConfig {
  name: string;
  kind: NodeKind;
  controlSocket: string;
  logLevel: LogLevel;
  netns?: string;
  captureDir: string;
  bridge: string[];
  /** Provider and attacker nodes: the two ports they forward between. */
  inPath?: InPathConfig;
  ports: PortConfig[];
  /** Link aggregation groups over some of the ports. @default [] */
  lags: LagNodeConfig[];
  /** Data-plane GCM engine of every MACsec port (`crypto`, or {@link NodeOverrides}). @default native where the addon loads, else node */
  crypto?: CryptoChoice;
}

/**
 * What the node's process entry decides over the file: the user-facing
 * overrides DXLAB_CRYPTO and DXLAB_FASTPATH=0 (and `dxlab node --crypto`),
 * read in one place, src/cli/node-env.ts, and handed in here.
 */
export interface NodeOverrides {
  /** Wins over the file's `crypto`. */
  crypto?: CryptoChoice;
  /** false turns the addon's fast path off on every MACsec port. @default true */
  fastPath?: boolean;
}

// Ajv, yaml and the compiled schema are loaded on first use, not at import:
// every dxlab command loads this module and most never check a node
// configuration. Compiling the three schemas cost each command about 0.3 s
// of CPU and the two libraries 134 of its 398 module files (measured with
// --cpu-prof and strace on `dxlab status`).
let ajv: Ajv | undefined;
const compiledAjv = (): Ajv => {
  if (!ajv) {
    ajv = new (require('ajv') as typeof import('ajv')).Ajv({ allErrors: false, strict: false, strictNumbers: true });
    ajv.addSchema(SCHEMA);
  }
  return ajv;
};
const validator = (): ValidateFunction => compiledAjv().getSchema((SCHEMA as { $id: string }).$id)!;
/** The validator of one of the schema's definitions. */
const definition = (name: string): ValidateFunction => compiledAjv().getSchema(`${(SCHEMA as { $id: string }).$id}#/definitions/${name}`)!;

function schemaMessage(e: ErrorObject): string {
  const where = e.instancePath || '(top level)';
  if (e.keyword === 'enum') return `${where}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'additionalProperties') return `${where}: unknown field '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  if (e.keyword === 'required') return `${where}: missing field '${(e.params as { missingProperty: string }).missingProperty}'`;
  return `${where}: ${e.message ?? 'invalid'}`;
}

/**
 * Checks and resolves a parsed configuration document.
 * @param source the file name, for messages
 * @throws NodeError('config') naming the file and the field.
 */
export function resolveNodeConfig(doc: unknown, source: string, overrides: NodeOverrides = {}): NodeConfig {
  const validate = validator();
  if (!validate(doc)) throw new NodeError('config', `${source}: ${schemaMessage(validate.errors![0]!)}`);
  const raw = doc as Record<string, any>;
  const fail = (path: string, msg: string): never => {
    throw new NodeError('config', `${source}: ${path}: ${msg}`);
  };
  const crypto: CryptoChoice | undefined = overrides.crypto ?? raw.crypto;
  const portNames = new Set<string>();
  const tapNames = new Set<string>();
  const ports: PortConfig[] = (raw.ports as any[]).map((p, i) => {
    const at = `/ports/${i}`;
    if (portNames.has(p.name)) fail(`${at}/name`, `port '${p.name}' defined twice`);
    portNames.add(p.name);
    const taps = resolveTaps(p.taps ?? [], at, tapNames, fail);
    let macsec: MacsecConfig | undefined;
    if (p.macsec) {
      const m = p.macsec;
      // Neither keyChain nor keyFile (or an empty one): a port with no key yet, MKA idle
      // until `addKey` (AWS: a MACsec connection before AssociateMacSecKey).
      const fromFile = m.keyFile !== undefined;
      if (fromFile && m.keyChain !== undefined) fail(`${at}/macsec`, 'give keyChain or keyFile, not both');
      const pairs: Array<{ ckn: string; cak: string }> = fromFile ? readKeyChainFile(resolvePath(dirname(source), m.keyFile), `${at}/macsec/keyFile`, fail) : (m.keyChain ?? []);
      const where = (j: number, f: string) => (fromFile ? `${at}/macsec/keyFile ${m.keyFile}: cas/${j}/${f}` : `${at}/macsec/keyChain/${j}/${f}`);
      if (pairs.length > KEY_CHAIN_MAX) fail(fromFile ? `${at}/macsec/keyFile` : `${at}/macsec/keyChain`, `0 to ${KEY_CHAIN_MAX} CKN/CAK pairs (AWS: a key chain of up to three), got ${pairs.length}`);
      const seen = new Set<string>();
      const keyChain = pairs.map((k, j) => {
        const ckn = fromHex(k.ckn);
        if (ckn.length < 1 || ckn.length > 32) fail(where(j, 'ckn'), `a CKN is 1 to 32 octets, got ${ckn.length}`);
        if (seen.has(toHex(ckn))) fail(where(j, 'ckn'), `CKN ${toHex(ckn)} is already in the key chain: each CKN names one CAK`);
        seen.add(toHex(ckn));
        const raw = fromHex(k.cak);
        const cak = new Secret(raw, 'CAK');
        raw.fill(0);
        if (cak.length !== 16 && cak.length !== 32) fail(where(j, 'cak'), `a CAK is 16 or 32 octets, got ${cak.length}`);
        return { ckn, cak };
      });
      const { keyFile: _keyFile, keyChain: _keyChain, staticSas: rawStatic, ...knobs } = m;
      if (rawStatic !== undefined && (fromFile || keyChain.length > 0)) fail(`${at}/macsec/staticSas`, `static SAs replace MKA: give staticSas or a key chain (${fromFile ? 'keyFile' : 'keyChain'}), not both`);
      const staticSas = rawStatic === undefined ? undefined : resolveStaticSas(rawStatic, `${at}/macsec/staticSas`, fail);
      macsec = {
        ...resolveKnobValues(knobs),
        ...(staticSas ? { staticSas } : {}),
        mode: m.mode ?? 'should_encrypt',
        sciPort: m.sciPort ?? 1,
        keyChain,
        ...(crypto ? { crypto } : {}),
        ...(overrides.fastPath === false ? { fastPath: false } : {}),
      };
    }
    const c = p.capture ?? {};
    return { name: p.name, wire: p.wire, taps, macsec, capture: { wire: !!c.wire, clear: !!c.clear, decrypted: !!c.decrypted, keys: !!c.keys } };
  });
  const lags = resolveLags((raw.lags as any[] | undefined) ?? [], ports, tapNames, fail);
  for (const [i, b] of ((raw.bridge as string[] | undefined) ?? []).entries()) {
    if (!portNames.has(b) && !lags.some((l) => l.name === b)) fail(`/bridge/${i}`, `no port or LAG named '${b}'`);
    if (ports.find((p) => p.name === b)?.lag !== undefined) fail(`/bridge/${i}`, `port ${b} is a member of LAG ${ports.find((p) => p.name === b)!.lag}: bridge the LAG`);
  }
  let inPath: InPathConfig | undefined;
  if (raw.inPath) {
    const ip = raw.inPath;
    for (const [i, p] of (ip.ports as string[]).entries()) if (!portNames.has(p)) fail(`/inPath/ports/${i}`, `no port named '${p}'`);
    if (ip.ports[0] === ip.ports[1]) fail('/inPath/ports', 'two different ports');
    const behaviours = ['provider', 'attacker'].filter((b) => ip[b] !== undefined);
    if (behaviours.length !== 1 || behaviours[0] !== raw.kind) fail('/inPath', `a ${raw.kind} node forwards with exactly its own section ('${raw.kind}')`);
    inPath = { ports: ip.ports, peers: ip.peers, roles: ip.roles ?? ['customer', 'customer'], ...(ip.provider ? { provider: ip.provider } : {}), ...(ip.attacker ? { attacker: ip.attacker } : {}) };
  } else if (raw.kind === 'provider' || raw.kind === 'attacker') fail('(top level)', `missing field 'inPath': a ${raw.kind} forwards between two ports`);
  return {
    name: raw.name,
    kind: raw.kind,
    controlSocket: raw.controlSocket ?? `/tmp/dxlab-${raw.name}.sock`,
    logLevel: raw.logLevel ?? 'info',
    netns: raw.netns,
    captureDir: raw.captureDir ?? 'pcaps',
    bridge: raw.bridge ?? [],
    ...(inPath ? { inPath } : {}),
    ports,
    lags,
    ...(crypto ? { crypto } : {}),
  };
}

function vlanTaken(vlan: number | undefined): string {
  return vlan === undefined ? 'a port has at most one untagged TAP' : `VLAN ${vlan} has two TAPs on this port`;
}

/** One `taps[]` entry, checked by the schema, as the node uses it: MAC as octets, BGP sessions resolved. */
function resolveTap(t: any, at: string, fail: (path: string, msg: string) => never): TapConfig {
  const addresses: string[] = t.addresses ?? [];
  const sessions = t.bgp === undefined ? [] : Array.isArray(t.bgp) ? t.bgp : [t.bgp];
  const bgpSessions = sessions.map((b: any, k: number) => resolveBgp(b, addresses, Array.isArray(t.bgp) ? `${at}/bgp/${k}` : `${at}/bgp`, fail));
  const bgp = bgpSessions[0];
  return { name: t.name, vlan: t.vlan, mtu: t.mtu ?? 1500, mac: t.mac ? macFromString(t.mac) : undefined, alias: t.alias, addresses, bgpSessions, ...(bgp ? { bgp } : {}) };
}


/**
 * A VIF asked for on the control socket (`addVif`): exactly a port's
 * `taps[]` entry of the configuration, checked by the same schema and
 * resolved by the same code, so that a VIF made live is made as one from the
 * file is.
 * @param taken the TAP names the node runs and the VLANs of the port it goes on.
 * @throws NodeError('badRequest') naming the field (`tap/vlan`, `tap/bgp/peerAddress`...),
 *   NodeError('vifExists') when a TAP of that name runs; never echoes an MD5 key.
 */
export function resolveVifRequest(raw: unknown, taken: { names: ReadonlySet<string>; vlans: ReadonlySet<number | undefined> }): TapConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new NodeError('badRequest', `'tap' must be an object: a port's taps[] entry of the node configuration`);
  const validate = definition('tap');
  if (!validate(raw)) throw new NodeError('badRequest', schemaMessage({ ...validate.errors![0]!, instancePath: `tap${validate.errors![0]!.instancePath}` }));
  const t = raw as { name: string; vlan?: number };
  if (taken.names.has(t.name)) throw new NodeError('vifExists', `tap/name: a TAP named '${t.name}' runs already on this node`);
  if (taken.vlans.has(t.vlan)) throw new NodeError('badRequest', `tap/vlan: ${vlanTaken(t.vlan)}`);
  return resolveTap(raw, 'tap', (path, msg) => {
    throw new NodeError('badRequest', `${path}: ${msg}`);
  });
}

/**
 * The node's LAGs: members are ports of this node, each in one LAG, with no
 * TAPs of their own (the LAG's logical port carries them).
 * Marks each member's PortConfig with its LAG.
 */
function resolveLags(raw: any[], ports: PortConfig[], tapNames: Set<string>, fail: (path: string, msg: string) => never): LagNodeConfig[] {
  const names = new Set<string>();
  return raw.map((l, i) => {
    const at = `/lags/${i}`;
    if (names.has(l.name) || ports.some((p) => p.name === l.name)) fail(`${at}/name`, `'${l.name}' names another LAG or a port already`);
    names.add(l.name);
    for (const [j, m] of (l.members as string[]).entries()) {
      const p = ports.find((q) => q.name === m) ?? fail(`${at}/members/${j}`, `no port named '${m}'`);
      if (p.lag !== undefined) fail(`${at}/members/${j}`, `port ${m} is a member of LAG ${p.lag} already`);
      if (p.taps.length) fail(`${at}/members/${j}`, `port ${m} has TAPs: a LAG member's frames go to the LAG, whose TAPs are in the LAG's own 'taps'`);
      p.lag = l.name;
    }
    const minimumLinks = l.minimumLinks ?? 0;
    if (minimumLinks > l.members.length) fail(`${at}/minimumLinks`, `${minimumLinks} is more than the LAG's ${l.members.length} members`);
    return { name: l.name, members: l.members, key: l.key ?? 1, mode: l.mode ?? 'active', rate: l.rate ?? 'fast', minimumLinks, taps: resolveTaps(l.taps ?? [], at, tapNames, fail) };
  });
}

/** A port's or a LAG's TAPs, each name unique in the node, at most one per VLAN (or untagged). */
function resolveTaps(raw: any[], at: string, tapNames: Set<string>, fail: (path: string, msg: string) => never): TapConfig[] {
  const vlans = new Set<number | undefined>();
  return raw.map((t: any, j: number) => {
    if (tapNames.has(t.name)) fail(`${at}/taps/${j}/name`, `TAP '${t.name}' used twice`);
    tapNames.add(t.name);
    if (vlans.has(t.vlan)) fail(`${at}/taps/${j}/vlan`, vlanTaken(t.vlan));
    vlans.add(t.vlan);
    return resolveTap(t, `${at}/taps/${j}`, fail);
  });
}

/** The knobs of a `macsec` section as the node uses them: suites as objects, the PN as a bigint, the MAC as octets. */
function resolveKnobValues(m: Record<string, any>): Omit<MacsecConfig, 'mode' | 'sciPort' | 'keyChain'> & { mode?: EncryptionMode } {
  return {
    ...m,
    cipherSuites: m.cipherSuites?.map((s: string) => cipherSuiteByName(s)),
    pnThreshold: m.pnThreshold !== undefined ? BigInt(m.pnThreshold) : undefined,
    eapolDestination: m.eapolDestination ? macFromString(m.eapolDestination) : undefined,
  };
}


/**
 * One knob of a port's `macsec` section (`dxlab set`), checked by the same
 * schema and resolved by the same code as a configuration file's.
 * @throws NodeError('badRequest') naming the knob; the knob names are those
 *   of knobs.ts (the key chain and the SCI port are not knobs).
 */
export function resolveMacsecKnob<K extends MacsecKnob>(knob: K, value: unknown): NonNullable<MacsecConfig[K]> {
  if (!isMacsecKnob(knob)) throw new NodeError('badRequest', `unknown knob '${String(knob)}': expected one of ${KNOB_NAMES.join(', ')}`);
  if (value === undefined || value === null) throw new NodeError('badRequest', `${knob}: a value is needed`);
  const doc = { [knob]: value };
  const validate = definition('macsec');
  if (!validate(doc)) {
    const e = validate.errors![0]!;
    const msg = schemaMessage({ ...e, instancePath: '' }).replace(/^\(top level\): /, '');
    throw new NodeError('badRequest', `${knob}: ${msg}, got ${JSON.stringify(value)}`);
  }
  return (resolveKnobValues(doc) as Record<string, unknown>)[knob] as NonNullable<MacsecConfig[K]>;
}


/**
 * A port's `staticSas` section asked for on the control socket (`staticSas`):
 * checked by the same schema and resolver as a configuration file's.
 * @throws NodeError('badRequest') naming the field (`staticSas/tx/salt`...); never echoes a key.
 */
export function resolveStaticSasRequest(raw: unknown): StaticSasConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new NodeError('badRequest', `'staticSas' must be an object: a port's macsec.staticSas of the node configuration`);
  const validate = definition('staticSas');
  if (!validate(raw)) throw new NodeError('badRequest', schemaMessage({ ...validate.errors![0]!, instancePath: `staticSas${validate.errors![0]!.instancePath}` }));
  return resolveStaticSas(raw, 'staticSas', (path, msg) => {
    throw new NodeError('badRequest', `${path}: ${msg}`);
  });
}

/** A knob's value as the configuration file writes it (suites by name, the PN and MAC as text); null when unset (the default). */
export function knobConfigValue(m: MacsecConfig, knob: MacsecKnob): unknown {
  const v = m[knob];
  if (v === undefined) return null;
  if (knob === 'cipherSuites') return (v as CipherSuite[]).map((s) => s.cliName);
  if (knob === 'pnThreshold') return (v as bigint).toString();
  if (knob === 'eapolDestination') return macToString(v as Uint8Array);
  return v;
}

function resolveBgp(b: any, tapAddresses: string[], at: string, fail: (path: string, msg: string) => never): BgpConfig {
  const check = (field: string, f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      fail(`${at}/${field}`, e.message);
    }
  };
  check('peerAddress', () => parseAddress(afiOf(b.peerAddress), b.peerAddress));
  const family = afiOf(b.peerAddress);
  const hosts = tapAddresses.map((a) => a.split('/')[0]!);
  const first = (afi: number) => hosts.find((h) => afiOf(h) === afi);
  const localAddress: string | undefined = b.localAddress ?? first(family);
  if (localAddress === undefined) return fail(`${at}/localAddress`, `no local address: set localAddress or give the TAP an address of the peer's family`);
  check('localAddress', () => parseAddress(afiOf(localAddress), localAddress));
  if (afiOf(localAddress) !== family) fail(`${at}/localAddress`, `${localAddress} and peer ${b.peerAddress} are of different families`);
  const routerId: string | undefined = b.routerId ?? (family === 1 ? localAddress : first(1));
  if (routerId === undefined) return fail(`${at}/routerId`, 'an IPv6 session needs a routerId (dotted quad) when the TAP has no IPv4 address');
  check('routerId', () => parseAddress(1, routerId));
  const prefixes: string[] = [];
  for (const [k, p] of ((b.prefixes as string[] | undefined) ?? []).entries()) {
    check(`prefixes/${k}`, () => {
      const parsed = parsePrefix(p);
      prefixes.push(formatPrefix(parsed.afi, parsed.length, parsed.address));
    });
  }
  const holdTimeS: number = b.holdTimeS ?? BGP_HOLD_TIME_S;
  if (holdTimeS === 1 || holdTimeS === 2) fail(`${at}/holdTimeS`, 'the hold time is 0 or at least 3 seconds (RFC 4271 §4.2)');
  const keepaliveS: number = b.keepaliveS ?? BGP_KEEPALIVE_S;
  if (holdTimeS > 0 && keepaliveS * 3 > holdTimeS) fail(`${at}/keepaliveS`, `${keepaliveS} s is more than a third of the hold time ${holdTimeS} s (RFC 4271 §10)`);
  const connectRetryS: number = b.connectRetryS ?? BGP_CONNECT_RETRY_S;
  if (b.md5Key !== undefined && b.md5KeyFile !== undefined) fail(`${at}/md5KeyFile`, 'give md5Key or md5KeyFile, not both');
  const md5Key: string | undefined = b.md5KeyFile !== undefined ? readMd5KeyFile(b.md5KeyFile, `${at}/md5KeyFile`, fail) : b.md5Key;
  const nextHop4 = family === 1 ? localAddress : first(1);
  const nextHop6 = family === 2 ? localAddress : hosts.find((h) => afiOf(h) === 2 && !h.toLowerCase().startsWith('fe80'));
  return {
    speaker: b.speaker ?? 'builtin',
    localAsn: b.localAsn,
    peerAsn: b.peerAsn,
    peerAddress: b.peerAddress,
    localAddress,
    routerId,
    holdTimeS,
    keepaliveS,
    connectRetryS,
    ...(md5Key !== undefined ? { md5Key: new Secret(new TextEncoder().encode(md5Key), 'TCP MD5 key') } : {}),
    prefixes,
    passive: b.passive ?? false,
    ...(nextHop4 !== undefined ? { nextHop4 } : {}),
    ...(nextHop6 !== undefined ? { nextHop6 } : {}),
  };
}

/**
 * The key chain of a `keyFile`: the `cas` of a dxlab key file (src/shared/key-file.ts),
 * a root-only file that keeps CAKs out of the configuration (DESIGN: the node
 * configs reference the keys, they do not hold them).
 * @throws NodeError('config') naming the field and the file, never a key.
 */
function readKeyChainFile(path: string, at: string, fail: (path: string, msg: string) => never): Array<{ ckn: string; cak: string }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return fail(at, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseKeyFile(text, path).cas;
  } catch (e) {
    if (e instanceof FormatError) return fail(at, e.message);
    throw e;
  }
}

/**
 * The TCP MD5 password in `path` (a mounted Kubernetes Secret: dxlab k8s),
 * 1 to 80 octets as md5Key takes it; one final newline is not part of it.
 * @throws NodeError('config') naming the field and the file, never the key.
 */
function readMd5KeyFile(path: string, at: string, fail: (path: string, msg: string) => never): string {
  let text: string;
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return fail(at, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // A regular file of a password's size (and a final newline): a device or a FIFO named by mistake would block or never end.
  if (!st.isFile() || st.size > 82) fail(at, `${path} must be a file holding a password of 1 to 80 octets`);
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return fail(at, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const key = text.replace(/\r?\n$/, '');
  if (key.length < 1 || Buffer.byteLength(key) > 80) fail(at, `${path} must hold a password of 1 to 80 octets, got ${Buffer.byteLength(key)}`);
  return key;
}

/** Reads a YAML or JSON configuration file. @throws NodeError('config'). */
export function loadNodeConfig(path: string, overrides: NodeOverrides = {}): NodeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new NodeError('config', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const y = readYamlText(require('yaml') as typeof import('yaml'), text);
  if (!y.ok) throw new NodeError('config', `${path}${y.line !== undefined ? `:${y.line}` : ''}: not YAML or JSON: ${y.message}`);
  return resolveNodeConfig(y.value, path, overrides);
}
