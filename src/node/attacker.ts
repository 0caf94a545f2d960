/**
 * An attacker inside a link (`kind: attacker`): every frame between the two
 * MKA peers passes through it, so it sees, drops, delays, reorders,
 * alters, replays and injects frames, driven by `dxlab attack NODE ACTION`.
 * Each action reports the frames it touched. It keeps the last frames of
 * each direction, so that replay and forgery use real frames of this link.
 *
 * What each action shows (the outcome at the victim, 802.1AE-2018 10.6 and
 * 802.1X-2020 clause 9, is asserted by test/integration/attacker*.test.ts):
 * - snoop: what an observer reads (frame-class.ts): MACsec with E = 1 hides
 *   its payload; MKPDUs, and every frame after a fallback to clear, do not.
 * - drop (all frames at a rate, or MKPDUs only), delay, reorder: the
 *   network's failures on purpose; dropping MKPDUs makes MKA time out after
 *   its Life Time (802.1X-2020 9.4.3).
 * - replay: captured MACsec frames again (10.6.2, the replay check: late).
 * - bitflip: one bit of the SecTAG (the PN's top bit), the secure data or
 *   the ICV (10.6.4, integrity check).
 * - strip: the SecTAG and ICV removed, leaving an untagged frame (10.6.1).
 * - inject-clear: an ARP or IPv4 frame in the clear (10.6.1, untagged).
 * - inject-forged: a captured frame with an unknown SCI, an AN with no
 *   receive SA, or a stale PN (10.6.2).
 * - forge-mkpdu: a captured MKPDU with a wrong ICV, an unknown CKN, or
 *   unchanged (its MN already seen) (802.1X-2020 9.4.1, 9.4.2).
 *
 * No timers and no randomness of its own: the node hands in the time and a
 * PRNG.
 */
import { ETHERTYPE_MACSEC, ICV_LEN, SECTAG_LEN, SECTAG_SCI_LEN, TCI_SC } from '../macsec/index.js';
import { FRAME_CLASSES, classifyFrame, describeFrame, type FrameClass } from './frame-class.js';
import type { ForwardDecision } from './provider.js';

export const ATTACK_ACTIONS = ['snoop', 'drop', 'delay', 'reorder', 'replay', 'bitflip', 'inject-clear', 'inject-forged', 'strip', 'forge-mkpdu', 'stop', 'status'] as const;
export type AttackAction = (typeof ATTACK_ACTIONS)[number];
/** Actions that stay on until `stop`. */
const ONGOING = new Set<AttackAction>(['drop', 'delay', 'reorder', 'bitflip', 'strip']);

export type BitflipWhere = 'sectag' | 'payload' | 'icv';
export type ForgedKind = 'unknown-sci' | 'wrong-an' | 'stale-pn';
export type ForgedMkpduKind = 'wrong-icv' | 'unknown-ckn' | 'old-mn';

/** An attack request, checked (attack-request.ts); `from` is a port index: frames that arrive on it. */
export interface AttackRequest {
  action: AttackAction;
  /** Only frames arriving from that side (0 or 1); injections go out of the other. @default both */
  from?: 0 | 1;
  /** drop: MKPDUs only. */
  mkpdu?: boolean;
  /** drop, reorder, bitflip: share of the frames, 0 to 100. @default 100 (drop, bitflip), 50 (reorder) */
  percent?: number;
  /** delay: milliseconds. */
  ms?: number;
  /** replay: how many of the last captured MACsec frames. @default 10 */
  count?: number;
  where?: BitflipWhere;
  /** inject-clear: arp or ipv4. */
  type?: 'arp' | 'ipv4';
  /** inject-forged, forge-mkpdu. */
  kind?: ForgedKind | ForgedMkpduKind;
  /** snoop: the counts start again from zero. */
  reset?: boolean;
  /** snoop: how many of the last frames to list. @default 20 */
  last?: number;
}

interface Active {
  req: AttackRequest;
  touched: number;
  since: number;
}

interface Seen {
  side: 0 | 1;
  atMs: number;
  frame: Uint8Array;
}

/** What an action did. */
export interface AttackResult {
  action: AttackAction;
  /** Frames the action changed, dropped, sent or (snoop) saw. */
  touched: number;
  /** For an action that stays on: it runs now. */
  active?: boolean;
  note?: string;
  [k: string]: unknown;
}

const RING = 1024;

export class Attacker {
  private readonly active = new Map<AttackAction, Active>();
  private readonly ring: Seen[] = [];
  private seen = newSeen();

  constructor(
    private readonly random: () => number,
    /** The MKPDU EtherTypes (0x888E, and 0x876F, Cisco's alternate). */
    private readonly eapolEtherTypes: ReadonlySet<number> = new Set([0x888e, 0x876f]),
  ) {}

  /** The fate of a frame that arrived on port `from`. */
  decide(from: 0 | 1, frame: Uint8Array, nowMs: number): ForwardDecision {
    const cls = classifyFrame(frame);
    this.seen[from][cls]++;
    this.ring.push({ side: from, atMs: nowMs, frame: frame.slice() });
    if (this.ring.length > RING) this.ring.shift();
    const mine = (a: Active | undefined): a is Active => a !== undefined && (a.req.from === undefined || a.req.from === from);
    const pct = (a: Active, dflt: number) => this.random() * 100 < (a.req.percent ?? dflt);
    const drop = this.active.get('drop');
    if (mine(drop)) {
      const mkpdu = this.isMkpdu(frame);
      if (drop.req.mkpdu ? mkpdu : pct(drop, 100)) {
        drop.touched++;
        return { drop: 'lost' };
      }
    }
    let out = frame;
    const macsec = isMacsec(frame);
    const strip = this.active.get('strip');
    if (mine(strip) && macsec) {
      out = stripSecTag(out);
      strip.touched++;
    }
    const flip = this.active.get('bitflip');
    if (mine(flip) && macsec && out === frame && pct(flip, 100)) {
      out = bitflip(frame, flip.req.where ?? 'payload');
      flip.touched++;
    }
    let dueMs = nowMs;
    const delay = this.active.get('delay');
    if (mine(delay) && macsec) {
      dueMs += delay.req.ms ?? 0;
      delay.touched++;
    }
    let hold = false;
    const reorder = this.active.get('reorder');
    if (mine(reorder) && macsec && pct(reorder, 50)) {
      hold = true;
      reorder.touched++;
    }
    return { frame: out, dueMs, hold };
  }

  private isMkpdu(f: Uint8Array): boolean {
    return f.length >= 14 && this.eapolEtherTypes.has((f[12]! << 8) | f[13]!);
  }

  /**
   * Runs an action.
   * @returns what it did; `send` holds frames to send now, each out of port `to`.
   */
  run(req: AttackRequest, nowMs: number): { result: AttackResult; send: Array<{ to: 0 | 1; frame: Uint8Array }> } {
    const a = req.action;
    if (a === 'stop') {
      const stopped = [...this.active.entries()].map(([action, x]) => ({ action, touched: x.touched }));
      this.active.clear();
      return { result: { action: a, touched: stopped.reduce((n, s) => n + s.touched, 0), stopped }, send: [] };
    }
    if (a === 'status') return { result: { action: a, touched: 0, ...this.status() }, send: [] };
    if (a === 'snoop') return { result: this.snoop(req), send: [] };
    if (ONGOING.has(a)) {
      this.active.set(a, { req, touched: 0, since: nowMs });
      return { result: { action: a, touched: 0, active: true, note: `${a} runs until dxlab attack NODE stop` }, send: [] };
    }
    const send = this.oneShot(req);
    return { result: { action: a, touched: send.length, ...(send.length ? {} : { note: 'no frame of that kind was captured on this link yet' }), ...(req.kind ? { kind: req.kind } : {}) }, send };
  }

  /** Frames an injection sends: out of the port opposite to where its model frames came from. */
  private oneShot(req: AttackRequest): Array<{ to: 0 | 1; frame: Uint8Array }> {
    const sides: Array<0 | 1> = req.from === undefined ? [0, 1] : [req.from];
    const out: Array<{ to: 0 | 1; frame: Uint8Array }> = [];
    const last = (side: 0 | 1, pred: (f: Uint8Array) => boolean, n = 1) =>
      this.ring
        .filter((s) => s.side === side && pred(s.frame))
        .slice(-n)
        .map((s) => s.frame);
    for (const side of sides) {
      const to = (1 - side) as 0 | 1;
      switch (req.action) {
        case 'replay':
          for (const f of last(side, isMacsec, req.count ?? 10)) out.push({ to, frame: f.slice() });
          break;
        case 'inject-forged': {
          const f = last(side, isMacsec)[0];
          if (f) out.push({ to, frame: forge(f, (req.kind as ForgedKind | undefined) ?? 'unknown-sci') });
          break;
        }
        case 'forge-mkpdu': {
          const f = last(side, (x) => this.isMkpdu(x))[0];
          const forged = f && forgeMkpdu(f, (req.kind as ForgedMkpduKind | undefined) ?? 'wrong-icv');
          if (forged) out.push({ to, frame: forged });
          break;
        }
        case 'inject-clear': {
          // Spoofed as the node behind `side`, to the node it talks to (addresses learned from the link).
          const src = last(side, () => true)[0]?.subarray(6, 12);
          const dst = last(to, () => true)[0]?.subarray(6, 12);
          if (src && dst) out.push({ to, frame: req.type === 'arp' ? arpRequest(src) : icmpEcho(src, dst) });
          break;
        }
        default:
          break;
      }
    }
    return out;
  }

  private snoop(req: AttackRequest): AttackResult {
    const counts = { ...sumSeen(this.seen) };
    const readable = counts.macsecIntegrityOnly + counts.arp + counts.ipv4 + counts.ipv6 + counts.otherClear;
    const frames = this.ring.slice(-(req.last ?? 20)).map((s) => ({ from: s.side, line: describeFrame(s.frame), class: classifyFrame(s.frame) }));
    const total = FRAME_CLASSES.reduce((n, c) => n + counts[c], 0);
    const perSide = this.seen;
    if (req.reset) this.seen = newSeen();
    return { action: 'snoop', touched: total, counts, perSide, readableData: readable, frames };
  }

  status(): { running: Array<{ action: AttackAction; touched: number; from: 0 | 1 | null; params: AttackRequest }>; captured: number } {
    return {
      running: [...this.active.entries()].map(([action, x]) => ({ action, touched: x.touched, from: x.req.from ?? null, params: x.req })),
      captured: this.ring.length,
    };
  }
}

function newSeen(): [Record<FrameClass, number>, Record<FrameClass, number>] {
  const z = () => Object.fromEntries(FRAME_CLASSES.map((c) => [c, 0])) as Record<FrameClass, number>;
  return [z(), z()];
}

function sumSeen(s: [Record<FrameClass, number>, Record<FrameClass, number>]): Record<FrameClass, number> {
  return Object.fromEntries(FRAME_CLASSES.map((c) => [c, s[0][c] + s[1][c]])) as Record<FrameClass, number>;
}

function isMacsec(f: Uint8Array): boolean {
  return f.length >= 12 + SECTAG_LEN + ICV_LEN && f[12] === ETHERTYPE_MACSEC >> 8 && f[13] === (ETHERTYPE_MACSEC & 0xff);
}

/** Where the secure data begins: after DA, SA and the SecTAG (its EtherType included), with or without SCI. */
function dataOffset(f: Uint8Array): number {
  return 12 + (f[14]! & TCI_SC ? SECTAG_SCI_LEN : SECTAG_LEN);
}

/**
 * One bit flipped: in the SecTAG the PN's top bit (the PN stays ahead of the
 * replay window, so the frame reaches the integrity check, 802.1AE-2018
 * 10.6.2), in the secure data its middle octet, in the ICV its last octet.
 */
export function bitflip(f: Uint8Array, where: BitflipWhere): Uint8Array {
  const out = f.slice();
  const start = dataOffset(f);
  if (where === 'sectag') xor(out, 16, 0x80);
  else if (where === 'icv') xor(out, out.length - 1, 0x01);
  else xor(out, start + Math.floor((out.length - ICV_LEN - start) / 2), 0x01);
  return out;
}

function xor(b: Uint8Array, i: number, mask: number): void {
  b[i] = b[i]! ^ mask;
}

/** DA ‖ SA ‖ the secure data (what followed the SecTAG), without SecTAG and ICV. */
export function stripSecTag(f: Uint8Array): Uint8Array {
  const start = dataOffset(f);
  const out = new Uint8Array(12 + f.length - ICV_LEN - start);
  out.set(f.subarray(0, 12));
  out.set(f.subarray(start, f.length - ICV_LEN), 12);
  return out;
}

/** A captured MACsec frame with an unknown SCI (its MAC part changed), the AN + 2 (no SA in use), or PN 1 (stale). */
export function forge(f: Uint8Array, kind: ForgedKind): Uint8Array {
  const out = f.slice();
  if (kind === 'wrong-an') out[14] = (out[14]! & ~3) | ((out[14]! + 2) & 3);
  else if (kind === 'stale-pn') out.set([0, 0, 0, 1], 16);
  else if (out[14]! & TCI_SC) xor(out, 25, 0x5a);
  else {
    // No SCI in the SecTAG: the receiver takes it from the source address (802.1AE-2018 9.9).
    xor(out, 11, 0x5a);
  }
  return out;
}

/**
 * A captured MKPDU forged: its ICV's last octet flipped, a CKN octet changed
 * (the Basic Parameter Set's CKN begins 28 octets into its body, 802.1X-2020
 * Figure 11-8), or unchanged (its MN was seen: a replay).
 * @returns undefined for an MKPDU too short to hold a CKN.
 */
export function forgeMkpdu(f: Uint8Array, kind: ForgedMkpduKind): Uint8Array | undefined {
  const out = f.slice();
  if (kind === 'old-mn') return out;
  if (kind === 'wrong-icv') {
    xor(out, out.length - 1, 0x01);
    return out;
  }
  // Ethernet 14 + EAPOL header 4, then the Basic Parameter Set: 4 octets of header, 28 of fixed fields, the CKN.
  const bodyLen = ((out[20]! & 0x0f) << 8) | out[21]!;
  const cknLen = bodyLen - 28;
  if (cknLen < 1 || out.length < 50 + cknLen) return undefined;
  xor(out, 50 + cknLen - 1, 0xff);
  return out;
}

/** An ARP request in the clear, from `src`, for a TEST-NET-1 address (RFC 5737). */
function arpRequest(src: Uint8Array): Uint8Array {
  const f = new Uint8Array(42);
  f.fill(0xff, 0, 6);
  f.set(src, 6);
  f.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1], 12);
  f.set(src, 22);
  f.set([192, 0, 2, 1], 28);
  f.set([192, 0, 2, 2], 38);
  return f;
}

/** An ICMP echo request in the clear from `src` to `dst` (TEST-NET-1 addresses, RFC 5737). */
function icmpEcho(src: Uint8Array, dst: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + 16);
  f.set(dst, 0);
  f.set(src, 6);
  f.set([0x08, 0x00], 12);
  const ip = 14;
  f.set([0x45, 0, 0, 44, 0, 1, 0, 0, 64, 1, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2], ip);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (f[ip + i]! << 8) | f[ip + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  const c = ~sum & 0xffff;
  f[ip + 10] = c >> 8;
  f[ip + 11] = c & 0xff;
  f.set([8, 0, 0, 0, 0, 1, 0, 1], ip + 20);
  f.set(new TextEncoder().encode('dxlab in clear!!'), ip + 28);
  let s2 = 0;
  for (let i = ip + 20; i < f.length; i += 2) s2 += (f[i]! << 8) | (f[i + 1] ?? 0);
  while (s2 > 0xffff) s2 = (s2 & 0xffff) + (s2 >> 16);
  const c2 = ~s2 & 0xffff;
  f[ip + 22] = c2 >> 8;
  f[ip + 23] = c2 & 0xff;
  return f;
}
