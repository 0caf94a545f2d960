/**
 * What the lab verbs print for people: pure functions from the nodes'
 * control-socket answers (and the lab's state) to aligned text, in the style
 * of `dxlab status`. The verbs ask, these format; `--json` prints the answers
 * (or the summaries built here) instead.
 */
import { liveKey, type DemoResult, type LiveStates, type NodeExit, type Topology } from '../lab/index.js';
import type { KayStatus } from '../mka/index.js';
import type { BgpPeerStatus, CaptureInfo } from '../node/index.js';
import { CliError } from './errors.js';
import { table } from './output.js';
import { lagSummary, type LagAnswer } from './render-lag.js';

/** One port as the control socket's `status` answers it (a plain port has no `kay`). */
export interface PortStatusAnswer {
  name: string;
  kind: string;
  wire?: string;
  taps?: Array<{ name: string; vlan: number | null; mtu?: number }>;
  sci?: string;
  controlledPort?: string;
  encodingAn?: number | null;
  cipherSuite?: string;
  kay?: KayStatus;
  captures?: CaptureInfo[];
  [k: string]: unknown;
}

/** A node as the control socket's `status` answers it. */
export interface NodeStatusAnswer {
  name: string;
  kind: string;
  pid: number;
  ports: PortStatusAnswer[];
  bgp?: BgpPeerStatus[];
  /** A provider's or attacker's forwarding (src/node/in-path.ts). */
  inPath?: { role: string; ports: Array<{ name: string; faces: string }>; provider?: { mode: string } };
  lags?: LagAnswer[];
}

/** A BGP session as `status` summarizes it. */
export interface BgpSummary {
  tap: string;
  /** The VIF the TAP belongs to, from the lab's state; null outside a lab. */
  vif: string | null;
  localAddress: string;
  localAsn: number;
  peerAddress: string;
  peerAsn: number;
  state: string;
  uptimeS: number | null;
  prefixes: BgpPeerStatus['prefixes'];
}

/** A node as `dxlab status` reports it (text and --json). */
export interface NodeSummary {
  name: string;
  kind: string;
  pid: number;
  running: boolean;
  error?: string;
  ports: Array<{ name: string; kind: string; mode: string | null; secured: boolean | null; controlledPort: string | null; code: string | null; reason: string | null; captures: CaptureInfo[]; wireCut?: true; faces?: string }>;
  bgp: BgpSummary[];
  /** Its LAGs, one line each (render-lag.ts). */
  lags?: Array<{ name: string; logicalPortUp: boolean; distributing: string[]; summary: string }>;
  /** Its `restart:` policy, when not never; automatic restarts by the supervisor; how its last process ended. */
  restart?: string;
  restarts?: number;
  exited?: NodeExit;
}

/** The lab's supervisor as `dxlab status` reports it. */
export interface SupervisorSummary {
  pid: number;
  /** Its PID still runs the command line the state file records. */
  running: boolean;
  startedAt: string;
  socket: string;
  log: string;
}

/** A lab service as `dxlab status` reports it. */
export interface ServiceSummary {
  name: string;
  port: number;
  url: string;
  pid: number;
  running: boolean;
}

/** "exit code 1" or "killed by SIGKILL": how a node's process ended. */
export function exitText(e: { code: number | null; signal: string | null }): string {
  return e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
}

/** "13 s", "4 min 10 s", "2 h 3 min", "3 d 4 h": an uptime as people read it. */
export function duration(s: number): string {
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, Math.floor(s));
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (name === 's' && parts.length === 0)) parts.push(`${n} ${name}`);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** "IPv4 1, IPv6 0": prefix counts of both families. */
function families(p: { ipv4: number; ipv6: number }): string {
  return `IPv4 ${p.ipv4}, IPv6 ${p.ipv6}`;
}

/** "IPv4 1" or "IPv4 1, IPv6 2" or "0": the families that have prefixes, for a narrow column. */
function familiesShort(p: { ipv4: number; ipv6: number }): string {
  const parts = [p.ipv4 ? `IPv4 ${p.ipv4}` : '', p.ipv6 ? `IPv6 ${p.ipv6}` : ''].filter(Boolean);
  return parts.join(', ') || '0';
}

/** A node's line(s) of `dxlab status`, from its `status` answer or the error asking for it. */
export function summarizeNode(n: { name: string; kind: string; pid: number; wiresCut?: string[] }, answer: NodeStatusAnswer | Error, vifOf: (tap: string) => string | undefined = () => undefined): NodeSummary {
  if (answer instanceof Error) return { name: n.name, kind: n.kind, pid: n.pid, running: false, error: answer.message, ports: [], bgp: [] };
  return {
    name: n.name,
    kind: n.kind,
    pid: n.pid,
    running: true,
    ports: answer.ports.map((p) => ({
      name: p.name,
      kind: p.kind,
      mode: p.kay?.mode ?? (p.kind === 'inPath' ? (answer.inPath?.provider?.mode ?? null) : null),
      ...(p.kind === 'inPath' ? { faces: answer.inPath?.ports.find((x) => x.name === p.name)?.faces ?? '?' } : {}),
      secured: p.kay?.secured ?? null,
      controlledPort: p.kay?.controlledPort ?? null,
      code: p.kay?.notSecured?.code ?? null,
      reason: p.kay?.notSecured?.reason ?? null,
      captures: p.captures ?? [],
      // `dxlab wire cut` (the lab's state file): the node itself only sees its peer go silent.
      ...(n.wiresCut?.includes(p.name) ? { wireCut: true as const } : {}),
    })),
    ...(answer.lags?.length ? { lags: answer.lags.map((l) => ({ name: l.name, logicalPortUp: l.logicalPortUp, distributing: l.ports.filter((p) => p.distributing).map((p) => p.name), summary: lagSummary(l) })) } : {}),
    bgp: (answer.bgp ?? []).map((b) => ({
      tap: b.tap,
      vif: vifOf(b.tap) ?? null,
      localAddress: b.localAddress,
      localAsn: b.localAsn,
      peerAddress: b.peerAddress,
      peerAsn: b.peerAsn,
      state: b.state,
      uptimeS: b.uptimeS,
      prefixes: b.prefixes,
    })),
  };
}

/** One host's part of a lab across hosts (`up --on-host`): the host, and its links to other hosts. */
export interface HostSummary {
  name: string;
  tunnels: Array<{ a: string; b: string; vni: number; local: string; remote: string; remoteHost: string; port: number }>;
}

/**
 * `dxlab status`: a table of the nodes' ports (mode, MACsec state), the
 * supervisor, the nodes it restarted, the lab's services, then the BGP
 * sessions. `supervisor` null: the state records none.
 */
export function renderLabStatus(s: { lab: string; topology: string; nodes: NodeSummary[]; supervisor?: SupervisorSummary | null; services?: ServiceSummary[]; host?: HostSummary }): string {
  const ports = [['node', 'kind', 'pid', 'port', 'mode', 'MACsec']];
  for (const n of s.nodes) {
    if (!n.running) ports.push([n.name, n.kind, String(n.pid), '-', '-', `not running (${n.error ?? 'no answer'})`]);
    else if (!n.ports.length) ports.push([n.name, n.kind, String(n.pid), '-', '-', '-']);
    for (const p of n.ports) {
      const macsec = (p.kind === 'inPath' ? `in path, faces ${p.faces}` : p.kind !== 'macsec' ? 'plain port' : `${p.secured ? 'secured' : p.controlledPort}${p.reason ? ` (${p.reason})` : ''}`) + (p.wireCut ? ', wire cut' : '');
      ports.push([n.name, n.kind, String(n.pid), p.name, p.mode ?? '-', macsec]);
    }
  }
  const lines = [`lab ${s.lab} (${s.topology})${s.host ? `, host ${s.host.name}'s part` : ''}`, table(ports)];
  for (const t of s.host?.tunnels ?? []) lines.push(`link ${t.a} -- ${t.b} to host ${t.remoteHost}: VXLAN VNI ${t.vni}, ${t.local} -> ${t.remote} port ${t.port}`);
  for (const n of s.nodes) for (const l of n.lags ?? []) lines.push(`LAG ${n.name} ${l.name}: ${l.summary}${l.distributing.length ? ` (${l.distributing.join(', ')})` : ''}`);
  for (const n of s.nodes) for (const p of n.ports) for (const c of p.captures) lines.push(`capturing ${n.name} ${p.name} (${c.side}) to ${c.path}, ${c.frames} frames`);
  if (s.supervisor === null) lines.push('supervisor: none recorded (nodes are not watched; dxlab down still removes the lab)');
  else if (s.supervisor) {
    const sv = s.supervisor;
    lines.push(sv.running ? `supervisor: pid ${sv.pid}, since ${sv.startedAt}, log ${sv.log}` : `supervisor: not running (pid ${sv.pid} is gone): no node is restarted; dxlab down still removes the lab`);
  }
  for (const n of s.nodes) {
    if (!n.restarts) continue;
    lines.push(`restarts: ${n.name} ${n.restarts ?? 0} (restart: ${n.restart ?? 'never'}${n.exited ? `; last exit ${exitText(n.exited)} at ${n.exited.at}` : ''})`);
  }
  if (s.services) {
    if (!s.services.length) lines.push('services: none');
    else lines.push('services', table([['name', 'port', 'url'], ...s.services.map((x) => [x.name, String(x.port), x.running ? x.url : `${x.url} (not running: pid ${x.pid} is gone)`])]));
  }
  const sessions = s.nodes.flatMap((n) => n.bgp.map((b) => ({ node: n.name, ...b })));
  lines.push('');
  if (!sessions.length) lines.push('BGP: no sessions');
  else {
    lines.push('BGP');
    lines.push(
      table([
        ['node', 'VIF', 'local', 'peer', 'state', 'up', 'received', 'advertised'],
        ...sessions.map((b) => [
          b.node,
          b.vif ?? b.tap,
          `${b.localAddress} AS${b.localAsn}`,
          `${b.peerAddress} AS${b.peerAsn}`,
          b.state,
          b.uptimeS === null ? '-' : duration(b.uptimeS),
          familiesShort(b.prefixes.received),
          familiesShort(b.prefixes.advertised),
        ]),
      ]),
    );
  }
  return lines.join('\n');
}

/**
 * The MACsec ports among a node's, for `show mka` and `show macsec`.
 * `elsewhere` names the lab's MACsec ports ("switch eth2") for the error.
 * @throws CliError('usage') when the named port is plain; CliError('failed')
 *   when no port was named and the node has no MACsec port.
 */
export function macsecPorts(node: string, ports: PortStatusAnswer[], named: string | undefined, elsewhere: string[] = []): PortStatusAnswer[] {
  const macsec = ports.filter((p) => p.kind === 'macsec' && p.kay);
  const hint = elsewhere.length ? `; MACsec runs on ${elsewhere.join(', ')}` : '';
  if (named !== undefined && !macsec.length) throw new CliError('usage', `port ${named} of node ${node} is a plain port: no MACsec, no MKA${hint}`);
  if (!macsec.length) throw new CliError('failed', `node ${node} has no MACsec port (${ports.map((p) => `${p.name}: plain`).join(', ') || 'no ports'})${hint}`);
  return macsec;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** `dxlab show mka`: per MACsec port the KaY's state, participants, peers and SAK, as a router shows them. */
export function renderMka(node: string, ports: PortStatusAnswer[]): string {
  const out: string[] = [];
  for (const p of ports) {
    const k = p.kay!;
    if (out.length) out.push('');
    out.push(`${node} ${p.name}: MKA ${k.secured ? 'Secured' : 'Not secured'}, mode ${k.mode}, controlled port ${k.controlledPort}${k.notSecured ? ` (${k.notSecured.code}: ${k.notSecured.reason})` : ''}`);
    for (const part of k.participants) {
      out.push(`  CKN ${part.ckn}${part.principal ? ' (principal)' : ''}`);
      out.push(`    Local MI ${part.mi}  MN ${part.mn}  Key server ${part.keyServer ? (part.keyServer.self ? 'yes' : `no (${part.keyServer.sci})`) : '-'}`);
      const peers = [...part.livePeers.map((x) => ['', x.sci, x.mi, String(x.mn), 'live']), ...part.potentialPeers.map((x) => ['', x.sci, x.mi, String(x.mn), 'potential'])];
      out.push(peers.length ? table([['  Peer', 'SCI', 'MI', 'MN', 'State'], ...peers]) : '    no peers');
    }
    if (k.sak) out.push(`  Latest SAK: KN ${k.sak.kn} AN ${k.sak.an} ${k.sak.cipherSuite} tx ${yesNo(k.sak.transmitting)} rx ${yesNo(k.sak.receiving)}${k.oldSak ? `; old KN ${k.oldSak.kn} AN ${k.oldSak.an}` : ''}`);
    out.push(`  Key chain: ${k.keyChain.reason}`);
  }
  return out.join('\n');
}

/** `dxlab show macsec`: per MACsec port its SCI, cipher suite, the AES-GCM engine running (`crypto`: ipsec-mb, openssl or node), encoding AN and controlled port. */
export function renderMacsec(node: string, ports: PortStatusAnswer[]): string {
  return table([
    ['node', 'port', 'SCI', 'cipher suite', 'crypto', 'encoding AN', 'mode', 'controlled port'],
    ...ports.map((p) => [node, p.name, p.sci ?? '-', p.cipherSuite ?? '-', typeof p.crypto === 'string' ? p.crypto : '-', p.encodingAn === null || p.encodingAn === undefined ? '-' : String(p.encodingAn), p.kay?.mode ?? '-', p.controlledPort ?? '-']),
  ]);
}

/** `dxlab show counters`: per port the SecY, receive SC, MKA and port counters with their standard names. */
export function renderCounters(node: string, ports: Array<Record<string, any>>): string {
  const out: string[] = [];
  for (const p of ports) {
    out.push(`${node} ${p.name}`);
    const rows: string[][] = [];
    const add = (prefix: string, o: Record<string, unknown> | undefined) => o && Object.entries(o).forEach(([k, v]) => typeof v === 'number' && rows.push([`${prefix}${k}`, String(v)]));
    add('', p.secy?.secy);
    add('', p.secy?.txSc);
    for (const sc of p.secy?.rxScs ?? []) add('rx SC: ', sc);
    add('mka: ', p.mka);
    add('port: ', p.port);
    out.push(table(rows).replace(/^/gm, '  '));
  }
  return out.join('\n');
}

/** A provider's or attacker's counters per direction (`show counters` of an in-path node). */
export function renderInPathCounters(node: string, dirs: Record<string, Record<string, unknown>>): string {
  const out: string[] = [];
  for (const [dir, c] of Object.entries(dirs)) {
    out.push(`${node} ${dir}`);
    const rows: string[][] = [];
    for (const [k, v] of Object.entries(c)) {
      if (typeof v === 'number') rows.push([k, String(v)]);
      else if (Array.isArray(v) && v.length) rows.push([k, v.join(', ')]);
      else if (v && typeof v === 'object') for (const [k2, v2] of Object.entries(v)) rows.push([`${k} ${k2}`, String(v2)]);
    }
    out.push(table(rows).replace(/^/gm, '  '));
  }
  return out.join('\n');
}

/**
 * `dxlab show bgp` and `dxlab node bgp`: per session the TAP (and VIF), both
 * ends with their ASNs, state and uptime, prefixes per family, timers, TCP
 * MD5 (whether a key is set, never the key) and the last error.
 */
export function renderBgp(node: string, peers: BgpPeerStatus[], vifOf: (tap: string) => string | undefined = () => undefined): string {
  const out: string[] = [];
  for (const b of peers) {
    const vif = vifOf(b.tap);
    if (out.length) out.push('');
    out.push(`${node} ${b.tap}${vif ? ` (VIF ${vif})` : ''}: BGP ${b.localAddress} AS${b.localAsn} <-> ${b.peerAddress} AS${b.peerAsn}, ${b.speaker} speaker`);
    out.push(
      table([
        ['state', `${b.state}${b.uptimeS !== null ? `, up ${duration(b.uptimeS)}` : ''}${b.passive ? ' (passive: waits for the peer)' : ''}`],
        ['received', families(b.prefixes.received)],
        ['advertised', families(b.prefixes.advertised)],
        ['hold time', `${b.holdTimeS} s, keepalive ${b.keepaliveS} s, connect retry ${b.connectRetryS} s`],
        ['TCP MD5', yesNo(b.md5)],
        ['last error', b.lastError ?? '-'],
      ]).replace(/^/gm, '  '),
    );
  }
  return out.join('\n');
}

/** A CKN as the key chain lines show it: 16 hex digits and an ellipsis when longer. */
const shortCkn = (ckn: string) => (ckn.length > 16 ? `${ckn.slice(0, 16)}…` : ckn);

/** What `dxlab set` changed, in one line. */
export type SetChange =
  | { what: 'mode'; from: string | null; to: string }
  | { what: 'keyAdd'; ckn: string; keyChain: string[] }
  | { what: 'keyRemove'; ckn: string; keyChain: string[] }
  /** keyServer: 'self', the key server's SCI, or null when none is elected. */
  | { what: 'rekey'; keyServer: string | null }
  /** One MACsec knob (src/node/knobs.ts); from null: it had its default. */
  | { what: 'knob'; knob: string; from: unknown; to: unknown; applied: 'live' | 'kayRestart' };

function knobText(v: unknown): string {
  if (v === null || v === undefined) return 'default';
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'number' ? `0x${x.toString(16)}` : String(x))).join(',') : 'none';
  return String(v);
}

/** "router eth1: mode should_encrypt -> must_encrypt", and so on for keys and rekeys. */
export function renderSet(node: string, port: string, c: SetChange): string {
  const at = `${node} ${port}:`;
  switch (c.what) {
    case 'mode':
      return c.from === c.to ? `${at} mode ${c.to} (unchanged)` : `${at} mode ${c.from ?? '-'} -> ${c.to}`;
    case 'keyAdd':
      return `${at} CKN ${c.ckn} added as the newest pair; key chain (oldest first): ${c.keyChain.map(shortCkn).join(', ')}`;
    case 'keyRemove':
      return `${at} CKN ${c.ckn} removed; key chain (oldest first): ${c.keyChain.length ? c.keyChain.map(shortCkn).join(', ') : 'empty (no key: MKA idle, the mode alone decides what passes)'}`;
    case 'knob': {
      const how = c.applied === 'live' ? 'applied live' : "the port's KaY restarted: MKA starts again with a new MI";
      return `${at} ${c.knob} ${knobText(c.from)} -> ${knobText(c.to)} (${how})`;
    }
    case 'rekey':
      // Only the key server distributes SAKs (802.1X-2020 9.8); a member's request waits until it is elected.
      if (c.keyServer === 'self') return `${at} rekey requested: this node is the key server and distributes a new SAK`;
      return `${at} rekey pending: only the key server distributes SAKs, and ${c.keyServer ? `that is the peer ${c.keyServer}` : 'none is elected yet'}`;
  }
}

/** `dxlab graph` as text: the nodes, the links (MACsec ones with mode and suites) aligned, and the VIFs. */
export function renderGraph(t: Topology, lab?: string, live?: LiveStates): string {
  const stateOf = (l: Topology['links'][number]) => {
    const s = live?.get(liveKey(l));
    return s ? `: ${s.state}${s.detail ? ` (${s.detail})` : ''}` : '';
  };
  const links = t.links.map((l) => [`${l.a.node}:${l.a.port}`, (l.macsec ? `MACsec ${l.macsec.mode}, ${l.macsec.cipherSuites.join(' / ')}` : 'plain') + (l.via?.length ? ` via ${l.via.join(', ')}` : '') + stateOf(l), `${l.b.node}:${l.b.port}`]);
  const wire = Math.max(...links.map((l) => l[1]!.length)) + 6;
  const out = [`${t.name}${lab ? ` (lab ${lab})` : ''}`];
  out.push(table([['node', 'kind'], ...t.nodes.map((n) => [n.name, n.kind])]).replace(/^/gm, '  '));
  out.push('');
  out.push(table(links.map(([a, label, b]) => [a!, `${label!.startsWith('plain') ? '--' : '=='} ${label} `.padEnd(wire, label!.startsWith('plain') ? '-' : '='), b!])).replace(/^/gm, '  '));
  for (const v of t.vifs) {
    out.push('');
    out.push(`  VIF ${v.name}: VLAN ${v.vlan}, MTU ${v.mtu}`);
    const ends = v.ends.map((e, k) => [`    ${e.node} ${e.port}`, [v.ipv4[k], v.ipv6?.[k]].filter(Boolean).join(', ')]);
    out.push(table(v.bgp ? [...ends, ['    BGP', `AS${v.bgp.customerAsn} <-> AS${v.bgp.amazonAsn}${v.bgp.md5Key ? ', TCP MD5' : ''}`]] : ends));
  }
  return out.join('\n');
}

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
export function wrapWords(text: string, width = 100): string {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.join('\n');
}

/*
 * What Wireshark decrypts, measured on the lab's own captures (tshark 4.0.17
 * from Debian 12, 4.4 from trixie, 4.6.9 from unstable): 4.0 decrypts no
 * MACsec; 4.6.9 decrypts a GCM-AES-256 capture from its CKN/CAK table with a
 * 32-octet CKN/CAK alone (203 of 203 frames), but not GCM-AES-128 under a
 * 32-octet CAK (0 of 209: it takes the SAK's length from the CAK's), and no
 * XPN suite at all. Its static SAK table takes the SAKs of the non-XPN suites.
 */
const WIRESHARK_NONE = 'Wireshark 4.0, the one Debian 12 ships, decrypts no MACsec.';

/** `dxlab demo`: where the captures and keys are, and how to read them in Wireshark for the suite the link used. */
export function renderDemo(r: DemoResult): string {
  const decrypted = r.captures.find((c) => c.side === 'decrypted')?.path ?? '';
  const out = ['captures:', table(r.captures.map((c) => [`  ${c.side}`, c.path])), `keys (secrets): ${r.keys}`, ''];
  const suite = r.cipherSuite || 'an unknown cipher suite';
  const para: string[] = [];
  if (/XPN/i.test(r.cipherSuite)) {
    para.push(
      `The link ran ${suite}, the suite AWS prefers. Wireshark cannot decrypt the XPN suites (no release can, 4.6.9 included), so in Wireshark the wire capture shows only MACsec and EAPOL-MKA frames, and there is no Wireshark key table to fill.`,
      `Open the decrypted copy instead, in any Wireshark: ${decrypted}, every MACsec frame replaced by its cleartext (ARP, BGP, ICMP). ${WIRESHARK_NONE}`,
    );
  } else {
    const cak = /256/.test(r.cipherSuite)
      ? 'or its MKA CKN/CAK table the pair in the key file (4.6.9 decrypts GCM-AES-256 from a 32-octet CKN/CAK alone)'
      : "not its MKA CKN/CAK table: under a 32-octet CAK, as this lab's, 4.6.9 takes the SAK's length from the CAK's and decrypts no GCM-AES-128 frame";
    para.push(
      `The link ran ${suite}. Open the decrypted copy in any Wireshark: ${decrypted}, every MACsec frame replaced by its cleartext (ARP, BGP, ICMP).`,
      `To let Wireshark 4.6 decrypt the wire capture itself, give its MACsec key table the SAKs in ${r.wiresharkKeys}, ${cak}. No Wireshark decrypts the XPN suites. ${WIRESHARK_NONE}`,
    );
  }
  para.push('`dxlab pcap decrypt WIRE --keys KEYS --out OUT` writes the decrypted copy again from the wire capture and the key file.');
  out.push(para.map((p) => wrapWords(p)).join('\n\n'));
  if (r.kept) out.push('', `the lab is still up: dxlab status --name ${r.lab}; dxlab down ${r.lab}`);
  return out.join('\n');
}
