/**
 * A node's configuration: YAML or JSON, checked against
 * src/node/config.schema.json, then resolved into the objects the node uses
 * (keys as octets, suites as objects, defaults filled in). Errors name the
 * file and the field.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import { Ajv, type ErrorObject } from 'ajv';
import { fromHex, macFromString } from '../shared/bytes.js';
import { cipherSuiteByName, type CipherSuite } from '../macsec/index.js';
import type { EncryptionMode } from '../mka/index.js';
import { NodeError } from './errors.js';

const require = createRequire(import.meta.url);
// The schema stays in src/ (shipped with the package), whether this runs from src/ or dist/.
const SCHEMA = require('../../src/node/config.schema.json') as object;

export type NodeKind = 'dx-device' | 'router' | 'switch';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TapConfig {
  name: string;
  vlan?: number;
  mtu: number;
  mac?: Uint8Array;
  addresses: string[];
}

export interface MacsecConfig {
  mode: EncryptionMode;
  cipherSuites?: CipherSuite[];
  keyChain: Array<{ ckn: Uint8Array; cak: Uint8Array }>;
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
  macsec?: MacsecConfig;
  capture: CaptureConfig;
}

export interface NodeConfig {
  name: string;
  kind: NodeKind;
  controlSocket: string;
  logLevel: LogLevel;
  netns?: string;
  captureDir: string;
  bridge: string[];
  ports: PortConfig[];
}

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile(SCHEMA);

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
export function resolveNodeConfig(doc: unknown, source: string): NodeConfig {
  if (!validate(doc)) throw new NodeError('config', `${source}: ${schemaMessage(validate.errors![0]!)}`);
  const raw = doc as Record<string, any>;
  const fail = (path: string, msg: string): never => {
    throw new NodeError('config', `${source}: ${path}: ${msg}`);
  };
  const portNames = new Set<string>();
  const tapNames = new Set<string>();
  const ports: PortConfig[] = (raw.ports as any[]).map((p, i) => {
    const at = `/ports/${i}`;
    if (portNames.has(p.name)) fail(`${at}/name`, `port '${p.name}' defined twice`);
    portNames.add(p.name);
    const vlans = new Set<number | undefined>();
    const taps: TapConfig[] = (p.taps ?? []).map((t: any, j: number) => {
      if (tapNames.has(t.name)) fail(`${at}/taps/${j}/name`, `TAP '${t.name}' used twice`);
      tapNames.add(t.name);
      if (vlans.has(t.vlan)) fail(`${at}/taps/${j}/vlan`, t.vlan === undefined ? 'a port has at most one untagged TAP' : `VLAN ${t.vlan} has two TAPs on this port`);
      vlans.add(t.vlan);
      return { name: t.name, vlan: t.vlan, mtu: t.mtu ?? 1500, mac: t.mac ? macFromString(t.mac) : undefined, addresses: t.addresses ?? [] };
    });
    let macsec: MacsecConfig | undefined;
    if (p.macsec) {
      const m = p.macsec;
      const keyChain = (m.keyChain as any[]).map((k, j) => {
        const ckn = fromHex(k.ckn);
        const cak = fromHex(k.cak);
        if (ckn.length > 32) fail(`${at}/macsec/keyChain/${j}/ckn`, `a CKN is 1 to 32 octets, got ${ckn.length}`);
        if (cak.length !== 16 && cak.length !== 32) fail(`${at}/macsec/keyChain/${j}/cak`, `a CAK is 16 or 32 octets, got ${cak.length}`);
        return { ckn, cak };
      });
      macsec = {
        ...m,
        mode: m.mode ?? 'should_encrypt',
        sciPort: m.sciPort ?? 1,
        keyChain,
        cipherSuites: m.cipherSuites?.map((s: string) => cipherSuiteByName(s)),
        pnThreshold: m.pnThreshold !== undefined ? BigInt(m.pnThreshold) : undefined,
        eapolDestination: m.eapolDestination ? macFromString(m.eapolDestination) : undefined,
      };
    }
    const c = p.capture ?? {};
    return { name: p.name, wire: p.wire, taps, macsec, capture: { wire: !!c.wire, clear: !!c.clear, decrypted: !!c.decrypted, keys: !!c.keys } };
  });
  for (const [i, b] of ((raw.bridge as string[] | undefined) ?? []).entries()) if (!portNames.has(b)) fail(`/bridge/${i}`, `no port named '${b}'`);
  return {
    name: raw.name,
    kind: raw.kind,
    controlSocket: raw.controlSocket ?? `/tmp/dxlab-${raw.name}.sock`,
    logLevel: raw.logLevel ?? 'info',
    netns: raw.netns,
    captureDir: raw.captureDir ?? 'pcaps',
    bridge: raw.bridge ?? [],
    ports,
  };
}

/** Reads a YAML or JSON configuration file. @throws NodeError('config'). */
export function loadNodeConfig(path: string): NodeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new NodeError('config', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new NodeError('config', `${path}: not YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  return resolveNodeConfig(doc, path);
}
