/**
 * What the web view sends to the page, built from the nodes' control-socket
 * answers (`status`, `counters`, `events`) by copying named fields only: a
 * field that is not listed here never reaches the page, so a key (CAK, SAK,
 * ICK, KEK) that some answer might one day carry stays out by construction.
 * CKNs go out (they name a key, as `dxlab show` prints them); keys never.
 *
 * No I/O here: the server (server.ts) asks the nodes and hands the answers in.
 */

/** A link's MACsec state as the page draws it. */
export type LinkState = 'secured' | 'negotiating' | 'fallback' | 'blocked' | 'clear' | 'down';

/** One MACsec port as the page shows it (the fields of `dxlab show mka` and `show macsec`). */
export interface PortView {
  name: string;
  kind: string;
  mode: string | null;
  secured: boolean | null;
  controlledPort: string | null;
  cpState: string | null;
  notSecured: { code: string; reason: string } | null;
  cipherSuite: string | null;
  encodingAn: number | null;
  sci: string | null;
  cknInUse: string | null;
  keyChain: Array<{ ckn: string; inUse: boolean }>;
  keyChainReason: string | null;
  keyServer: { sci: string; self: boolean } | null;
  livePeers: Array<{ sci: string; mi: string; mn: number; keyServerPriority: number | null }>;
  potentialPeers: number;
  sak: { kn: number; an: number; cipherSuite: string; transmitting: boolean; receiving: boolean } | null;
  /** Whether the addon's fast path carries frames; a capture turns it off. */
  fastPath: boolean | null;
  captures: Array<{ side: string; path: string; frames: number }>;
  mkaCounters: Record<string, number>;
}

export interface NodeView {
  name: string;
  kind: string;
  running: boolean;
  error: string | null;
  ports: PortView[];
  vifs: Array<{ tap: string; vif: string | null; port: string; vlan: number | null; addresses: string[]; bgp: Array<{ localAddress: string; peerAddress: string; state: string }> }>;
}

export interface LinkView {
  a: string;
  b: string;
  macsec: boolean;
  /** Nodes inside the link (a provider, an attacker), a's side first. */
  via: string[];
  state: LinkState;
  /** Suite, AN and KN of the SAK in use when secured. */
  cipherSuite: string | null;
  an: number | null;
  kn: number | null;
  /** Why it is not secured, from the end that says most. */
  reason: string | null;
}

/** One KaY (or LACP) event, as `dxlab events` prints it. */
export interface EventView {
  node: string;
  port: string;
  time: string;
  type: string;
  reason: string;
  ckn?: string;
  peer?: string;
  kn?: number;
  an?: number;
}

/** One port's counters at one poll, by their 802.1AE / OpenConfig names. */
export interface CounterSample {
  node: string;
  port: string;
  values: Record<string, number>;
}

/**
 * The counters the charts draw. `PROTECTED` go on the traffic chart; `DROPS`
 * are drawn once non-zero (802.1AE-2018 10.7.9 SecY receive counters, 10.7.10
 * per receive SC; OpenConfig macsec MKA counters; the port's own).
 */
export const TRAFFIC_COUNTERS = ['outPktsProtected', 'outPktsEncrypted', 'inPktsOK', 'txMkpdu', 'rxMkpdu'] as const;
export const DROP_COUNTERS = [
  'inPktsLate',
  'inPktsNotValid',
  'inPktsInvalid',
  'inPktsNoSCI',
  'inPktsUnknownSCI',
  'inPktsNotUsingSA',
  'inPktsUnusedSA',
  'inPktsDelayed',
  'inPktsBadTag',
  'inPktsNoTag',
  'inPktsOverrun',
  'inPktsMalformed',
  'outPktsTooLong',
  'outPktsNoActiveSa',
  'inMkpduIcvVerificationErrors',
  'inMkpduValidationErrors',
  'inMkpduBadPeerErrors',
  'inMkpduPeerListErrors',
  'sakCipherMismatchErrors',
  'unrecognizedCkn',
  'txBlocked',
  'rxBlocked',
] as const;
const COUNTERS = new Set<string>([...TRAFFIC_COUNTERS, ...DROP_COUNTERS]);

const MKA_COUNTERS = ['inMkpdu', 'outMkpdu', 'inSakMkpdu', 'outSakMkpdu', 'inMkpduIcvVerificationErrors', 'inMkpduValidationErrors', 'inMkpduBadPeerErrors', 'inMkpduPeerListErrors', 'unrecognizedCkn'] as const;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

/** A port of a node's `status` answer, named fields only. */
export function portView(p: unknown): PortView {
  const x = obj(p);
  const kay = obj(x.kay);
  const principal = obj(arr(kay.participants).find((q) => obj(q).principal === true));
  const ks = obj(principal.keyServer);
  const sak = obj(kay.sak);
  const ns = obj(kay.notSecured);
  const mka = obj(kay.counters);
  return {
    name: str(x.name) ?? '?',
    kind: str(x.kind) ?? '?',
    mode: str(kay.mode) ?? str(x.mode),
    secured: bool(kay.secured) ?? bool(x.secured),
    controlledPort: str(kay.controlledPort) ?? str(x.controlledPort),
    cpState: str(kay.cpState),
    notSecured: str(ns.code) !== null ? { code: str(ns.code)!, reason: str(ns.reason) ?? '' } : null,
    cipherSuite: str(x.cipherSuite),
    encodingAn: num(x.encodingAn),
    sci: str(x.sci),
    cknInUse: str(x.cknInUse),
    keyChain: arr(x.keyChain).map((k) => ({ ckn: str(obj(k).ckn) ?? '?', inUse: obj(k).inUse === true })),
    keyChainReason: str(obj(kay.keyChain).reason),
    keyServer: str(ks.sci) !== null ? { sci: str(ks.sci)!, self: ks.self === true } : null,
    livePeers: arr(principal.livePeers).map((q) => ({ sci: str(obj(q).sci) ?? '?', mi: str(obj(q).mi) ?? '?', mn: num(obj(q).mn) ?? 0, keyServerPriority: num(obj(q).keyServerPriority) })),
    potentialPeers: arr(principal.potentialPeers).length,
    sak: num(sak.kn) !== null ? { kn: num(sak.kn)!, an: num(sak.an) ?? 0, cipherSuite: str(sak.cipherSuite) ?? '?', transmitting: sak.transmitting === true, receiving: sak.receiving === true } : null,
    fastPath: bool(obj(x.fastPath).active),
    captures: arr(x.captures).map((c) => ({ side: str(obj(c).side) ?? '?', path: str(obj(c).path) ?? '?', frames: num(obj(c).frames) ?? 0 })),
    mkaCounters: Object.fromEntries(MKA_COUNTERS.flatMap((k) => (num(mka[k]) !== null ? [[k, num(mka[k])!]] : []))),
  };
}

/**
 * A node's `status` answer (or the reason it gave none), named fields only.
 * @param vifOf the lab's VIF name of a TAP (the state file's taps[].vif)
 */
export function nodeView(n: { name: string; kind: string }, answer: unknown, vifOf: (tap: string) => string | undefined = () => undefined): NodeView {
  if (answer instanceof Error) return { name: n.name, kind: n.kind, running: false, error: answer.message, ports: [], vifs: [] };
  const a = obj(answer);
  return {
    name: n.name,
    kind: n.kind,
    running: true,
    error: null,
    ports: arr(a.ports).map(portView),
    vifs: arr(a.vifs).map((v) => {
      const y = obj(v);
      const tap = str(y.name) ?? '?';
      return {
        tap,
        vif: vifOf(tap) ?? null,
        port: str(y.port) ?? '?',
        vlan: num(y.vlan),
        addresses: arr(y.addresses).flatMap((s) => (typeof s === 'string' ? [s] : [])),
        bgp: arr(y.bgp).map((b) => ({ localAddress: str(obj(b).localAddress) ?? '?', peerAddress: str(obj(b).peerAddress) ?? '?', state: str(obj(b).state) ?? '?' })),
      };
    }),
  };
}

/** One port's counters from a node's `counters` answer: the named counters, receive SCs summed. */
export function counterSample(node: string, p: unknown): CounterSample {
  const x = obj(p);
  const secy = obj(x.secy);
  const values: Record<string, number> = {};
  const take = (src: Obj) => {
    for (const [k, v] of Object.entries(src)) if (COUNTERS.has(k) && num(v) !== null) values[k] = (values[k] ?? 0) + num(v)!;
  };
  take(obj(x.port));
  take(obj(secy.secy));
  take(obj(secy.txSc));
  for (const sc of arr(secy.rxScs)) take(obj(sc));
  take(obj(x.mka));
  return { node, port: str(x.name) ?? '?', values };
}

/** A node's event, named fields only. */
export function eventView(node: string, e: unknown): EventView {
  const x = obj(e);
  return {
    node,
    port: str(x.port) ?? str(x.lag) ?? '?',
    time: str(x.time) ?? '',
    type: str(x.type) ?? '?',
    reason: str(x.reason) ?? '',
    ...(str(x.ckn) !== null ? { ckn: str(x.ckn)! } : {}),
    ...(str(x.peer) !== null ? { peer: str(x.peer)! } : {}),
    ...(num(x.kn) !== null ? { kn: num(x.kn)! } : {}),
    ...(num(x.an) !== null ? { an: num(x.an)! } : {}),
  };
}

/**
 * One end's state. A blocked controlled port is `negotiating` while MKA may
 * still secure it, and `blocked` once must_encrypt has given up (the KaY
 * names why: no peer heard, wrong CAK, unknown CKN, no common suite...).
 */
export function endState(p: PortView | undefined): LinkState {
  if (!p) return 'down';
  if (p.mode === 'no_encrypt' || p.controlledPort === null) return 'clear';
  if (p.controlledPort === 'secured') return 'secured';
  if (p.controlledPort === 'clear') return 'fallback';
  const stillTrying = p.notSecured === null || ['negotiating', 'waitingForPeerRx', 'peerNotLive', 'notStarted'].includes(p.notSecured.code);
  return p.mode === 'must_encrypt' && !stillTrying ? 'blocked' : 'negotiating';
}

const SEVERITY: LinkState[] = ['down', 'blocked', 'fallback', 'negotiating', 'clear', 'secured'];

/**
 * A link's state from both ends: the worse end's (down, blocked, fallback,
 * negotiating, clear, secured in that order), so a link is secured only when
 * both ends say so, and falls back as soon as one end does.
 */
export function linkView(l: { a: string; b: string; macsec: boolean; via?: string[] }, portOf: (end: string) => PortView | undefined, running: (end: string) => boolean): LinkView {
  const pa = portOf(l.a);
  const pb = portOf(l.b);
  const states = [l.a, l.b].map((end, i) => (!running(end) ? 'down' : !l.macsec ? 'clear' : endState(i === 0 ? pa : pb)));
  const state = SEVERITY.find((s) => states.includes(s)) ?? 'clear';
  const sak = state === 'secured' ? (pa?.sak ?? pb?.sak ?? null) : null;
  const why = [pa, pb].find((p) => p?.notSecured)?.notSecured?.reason ?? null;
  return { a: l.a, b: l.b, macsec: l.macsec, via: [...(l.via ?? [])], state, cipherSuite: sak?.cipherSuite ?? null, an: sak?.an ?? null, kn: sak?.kn ?? null, reason: state === 'secured' ? null : why };
}

/**
 * A Direct Connect connection as the lab's AWS API describes it
 * (DescribeConnections), named fields only: its state and MACsec fields,
 * and each MACsec key's CKN and state; never a CAK (the API holds none in
 * its answers, and one added by mistake would not be copied here).
 */
export interface ConnectionView {
  connectionId: string;
  connectionName: string | null;
  connectionState: string | null;
  lagId: string | null;
  macSecCapable: boolean | null;
  encryptionMode: string | null;
  portEncryptionStatus: string | null;
  /** The lab's port it is on (its `dxlab:port` tag). */
  port: string | null;
  macSecKeys: Array<{ ckn: string; state: string | null; startOn: string | null }>;
}

/** One connection of a DescribeConnections answer. */
export function connectionView(c: unknown): ConnectionView {
  const x = obj(c);
  const tag = arr(x.tags).map(obj).find((t) => t.key === 'dxlab:port');
  return {
    connectionId: str(x.connectionId) ?? '?',
    connectionName: str(x.connectionName),
    connectionState: str(x.connectionState),
    lagId: str(x.lagId),
    macSecCapable: bool(x.macSecCapable),
    encryptionMode: str(x.encryptionMode),
    portEncryptionStatus: str(x.portEncryptionStatus),
    port: tag ? str(tag.value) : null,
    macSecKeys: arr(x.macSecKeys).map((k) => ({ ckn: str(obj(k).ckn) ?? '?', state: str(obj(k).state), startOn: str(obj(k).startOn) })),
  };
}

/** A LAG of the lab and its member links, with how many are secured. */
export interface LagView {
  name: string;
  nodes: string[];
  /** Member links as `a|b` (LinkView's ends). */
  members: string[];
  secured: number;
  state: LinkState;
}

/**
 * The LAGs: each member link (the topology's links with `lag`) grouped under
 * its LAG; the LAG's state is its best member's (a LAG carries traffic while
 * one member does), `down` when none is up.
 */
export function lagViews(topology: { links: Array<{ a: { node: string; port: string }; b: { node: string; port: string }; lag?: string }> } | undefined, links: LinkView[]): LagView[] {
  const out = new Map<string, LagView>();
  for (const l of topology?.links ?? []) {
    if (!l.lag) continue;
    const key = `${l.a.node}:${l.a.port}|${l.b.node}:${l.b.port}`;
    const v = links.find((x) => `${x.a}|${x.b}` === key);
    const g = out.get(l.lag) ?? { name: l.lag, nodes: [l.a.node, l.b.node], members: [], secured: 0, state: 'down' as LinkState };
    g.members.push(key);
    if (v?.state === 'secured') g.secured++;
    if (v && SEVERITY.indexOf(v.state) > SEVERITY.indexOf(g.state)) g.state = v.state;
    out.set(l.lag, g);
  }
  return [...out.values()];
}
