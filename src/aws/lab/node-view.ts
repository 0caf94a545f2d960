/**
 * What the API reads from a DX node: its answer to the control socket's
 * `status`, reduced to what Direct Connect shows (a port's mode, its key
 * chain's CKNs, whether MKA secured it with which CKN; each VIF TAP's BGP
 * state). Read defensively: a field the node does not send reads as
 * unknown, never as a crash.
 */
import type { EncryptionMode } from '../binding.js';

export interface PortView {
  /** Absent on a plain (non-MACsec) port. */
  mode?: EncryptionMode;
  /** Upper-case CKNs, oldest first. */
  ckns: string[];
  secured: boolean;
  /** The CKN of the secured session, upper case. */
  cknInUse?: string;
  taps: string[];
}

/** A LAG of the node, from its `status` answer's `lags` (src/node/lag-port.ts status()). */
export interface LagView {
  logicalPortUp: boolean;
  minimumLinks?: number;
  /** Member port -> whether LACP is enabled on it (false: taken out of the LAG). */
  lacpEnabled: Map<string, boolean>;
}

export interface NodeView {
  /** When the node's process started (its status's `startedAt`): another value later is a restarted node. */
  startedAt?: string;
  ports: Map<string, PortView>;
  lags: Map<string, LagView>;
  /** TAP name -> BGP FSM states of its sessions (one per address family). */
  bgp: Map<string, string[]>;
  /** Every VIF TAP the node has: on its ports, on its LAGs' logical ports, with BGP or without. */
  taps: Set<string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MODES: readonly string[] = ['no_encrypt', 'should_encrypt', 'must_encrypt'];

function cknsOf(p: Obj, kay: Obj | undefined): string[] {
  // The key chain as a list of CKNs (the status of a port with an empty chain, nodevif), else one MKA participant per pair.
  if (Array.isArray(p.keyChain)) {
    return p.keyChain.flatMap((k) => (typeof k === 'string' ? [k] : isObj(k) && typeof k.ckn === 'string' ? [k.ckn] : [])).map((c) => c.toUpperCase());
  }
  const parts = Array.isArray(kay?.participants) ? (kay.participants as unknown[]).filter(isObj) : [];
  return parts
    .filter((x) => typeof x.ckn === 'string')
    .sort((a, b) => Number(a.keyChainIndex ?? 0) - Number(b.keyChainIndex ?? 0))
    .map((x) => String(x.ckn).toUpperCase());
}

/** The view of one node's `status` answer. */
export function nodeView(status: unknown): NodeView {
  const ports = new Map<string, PortView>();
  const bgp = new Map<string, string[]>();
  const lags = new Map<string, LagView>();
  const s = isObj(status) ? status : {};
  for (const l of Array.isArray(s.lags) ? s.lags.filter(isObj) : []) {
    if (typeof l.name !== 'string') continue;
    const members = Array.isArray(l.ports) ? l.ports.filter(isObj) : [];
    lags.set(l.name, {
      logicalPortUp: l.logicalPortUp === true,
      ...(typeof l.minimumLinks === 'number' && { minimumLinks: l.minimumLinks }),
      lacpEnabled: new Map(members.flatMap((m) => (typeof m.name === 'string' ? [[m.name, m.lacpEnabled !== false] as const] : []))),
    });
  }
  for (const p of Array.isArray(s.ports) ? s.ports.filter(isObj) : []) {
    if (typeof p.name !== 'string') continue;
    const kay = isObj(p.kay) ? p.kay : undefined;
    const modeRaw = kay?.mode ?? p.mode;
    const secured = kay?.secured === true || p.secured === true;
    const keyChain = isObj(kay?.keyChain) ? (kay.keyChain as Obj) : undefined;
    const inUse = typeof p.cknInUse === 'string' ? p.cknInUse : typeof keyChain?.inUse === 'string' ? keyChain.inUse : undefined;
    const taps = Array.isArray(p.taps) ? p.taps.filter(isObj).flatMap((t) => (typeof t.name === 'string' ? [t.name] : [])) : [];
    ports.set(p.name, {
      ...(typeof modeRaw === 'string' && MODES.includes(modeRaw) ? { mode: modeRaw as EncryptionMode } : {}),
      ckns: kay || Array.isArray(p.keyChain) ? cknsOf(p, kay) : [],
      secured,
      ...(secured && inUse ? { cknInUse: inUse.toUpperCase() } : {}),
      taps,
    });
  }
  for (const b of Array.isArray(s.bgp) ? s.bgp.filter(isObj) : []) {
    if (typeof b.tap !== 'string') continue;
    bgp.set(b.tap, [...(bgp.get(b.tap) ?? []), String(b.state ?? 'Idle')]);
  }
  // VIFs as the node lists them (nodevif: per VIF its name, port, vlan, addresses, BGP state).
  for (const v of Array.isArray(s.vifs) ? s.vifs.filter(isObj) : []) {
    if (typeof v.name !== 'string' || bgp.has(v.name)) continue;
    const state = isObj(v.bgp) ? v.bgp.state : v.bgpState;
    if (typeof state === 'string') bgp.set(v.name, [state]);
  }
  const taps = new Set([...[...ports.values()].flatMap((p) => p.taps), ...bgp.keys()]);
  for (const v of Array.isArray(s.vifs) ? s.vifs.filter(isObj) : []) if (typeof v.name === 'string') taps.add(v.name);
  return { ...(typeof s.startedAt === 'string' && { startedAt: s.startedAt }), ports, lags, bgp, taps };
}
