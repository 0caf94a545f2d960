import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/shared/bytes.js';
import {
  BgpFsm,
  decodeMessage,
  encodeMessage,
  type BgpAction,
  type BgpFsmConfig,
  type BgpState,
  type FsmStep,
  type Message,
  type Update,
} from '../../../src/bgp/index.js';
import { withHeader } from './vectors.js';

/** One speaker on the simulated network. */
interface Side {
  readonly name: string;
  readonly fsm: BgpFsm;
  /** Accept incoming TCP connections (else they are refused). */
  accepting: boolean;
  /** Connect attempts get no answer at all. */
  unanswered: boolean;
  /** Drop everything this side sends (a silent peer). */
  mute: boolean;
  readonly actions: BgpAction[];
  readonly states: BgpState[];
}

/**
 * Two FSMs back to back on an in-memory TCP with zero latency and a manual
 * clock. Deliveries run in FIFO order, so connections that open together
 * exchange their OPENs before either is processed, as in a real collision.
 */
class Wire {
  now = 0;
  private readonly queue: Array<() => void> = [];
  /** `${side}|${conn}` -> the other end. */
  private readonly links = new Map<string, { side: Side; conn: string }>();
  readonly a: Side;
  readonly b: Side;

  constructor(a: BgpFsmConfig, b: BgpFsmConfig) {
    const side = (name: string, cfg: BgpFsmConfig): Side => ({ name, fsm: new BgpFsm(cfg), accepting: true, unanswered: false, mute: false, actions: [], states: [] });
    this.a = side('A', a);
    this.b = side('B', b);
  }

  other(s: Side): Side {
    return s === this.a ? this.b : this.a;
  }

  apply(s: Side, step: FsmStep): FsmStep {
    for (const act of step.actions) {
      s.actions.push(act);
      if (act.type === 'stateChange') s.states.push(act.to);
      else if (act.type === 'connect') this.connect(s, act.conn);
      else if (act.type === 'send') {
        const peer = this.links.get(`${s.name}|${act.conn}`);
        if (peer && !s.mute) this.queue.push(() => this.feed(peer.side, { type: 'TcpData', conn: peer.conn, bytes: act.bytes }));
      } else if (act.type === 'disconnect') {
        const peer = this.links.get(`${s.name}|${act.conn}`);
        this.links.delete(`${s.name}|${act.conn}`);
        if (peer) {
          this.links.delete(`${peer.side.name}|${peer.conn}`);
          this.queue.push(() => this.feed(peer.side, { type: 'TcpConnectionFails', conn: peer.conn }));
        }
      }
    }
    return step;
  }

  private connect(s: Side, conn: string): void {
    const peer = this.other(s);
    if (s.unanswered) return;
    if (!peer.accepting) {
      this.queue.push(() => this.feed(s, { type: 'TcpConnectionFails', conn }));
      return;
    }
    const inId = `${s.name}:${conn}`;
    this.links.set(`${s.name}|${conn}`, { side: peer, conn: inId });
    this.links.set(`${peer.name}|${inId}`, { side: s, conn });
    this.queue.push(() => this.feed(s, { type: 'TcpCrAcked', conn }));
    this.queue.push(() => this.feed(peer, { type: 'TcpConnectionConfirmed', conn: inId }));
  }

  /** Opens a connection from `from` to the other side right now, as a second attempt would. */
  dial(from: Side, conn: string): void {
    const peer = this.other(from);
    const inId = `${from.name}:${conn}`;
    this.links.set(`${from.name}|${conn}`, { side: peer, conn: inId });
    this.links.set(`${peer.name}|${inId}`, { side: from, conn });
    this.queue.push(() => this.feed(peer, { type: 'TcpConnectionConfirmed', conn: inId }));
  }

  /** Writes raw octets from `from` on its connection `conn`. */
  inject(from: Side, conn: string, bytes: Uint8Array): void {
    const peer = this.links.get(`${from.name}|${conn}`);
    if (!peer) throw new Error(`no link ${from.name}|${conn}`);
    this.queue.push(() => this.feed(peer.side, { type: 'TcpData', conn: peer.conn, bytes }));
    this.run();
  }

  feed(s: Side, ev: Parameters<BgpFsm['handle']>[1]): FsmStep {
    return this.apply(s, s.fsm.handle(this.now, ev));
  }

  run(): void {
    for (let i = 0; this.queue.length > 0; i++) {
      if (i > 10_000) throw new Error('message storm');
      this.queue.shift()!();
    }
  }

  start(): void {
    this.apply(this.a, this.a.fsm.handle(this.now, { type: 'ManualStart' }));
    this.apply(this.b, this.b.fsm.handle(this.now, { type: 'ManualStart' }));
    this.run();
  }

  /** Advances the clock to `to`, ticking each FSM at each of its deadlines on the way. */
  advance(ms: number): void {
    const to = this.now + ms;
    for (;;) {
      const next = [this.a, this.b]
        .map((s) => s.fsm.nextDeadline())
        .filter((d): d is number => d !== null && d <= to)
        .sort((x, y) => x - y)[0];
      if (next === undefined) break;
      this.now = Math.max(this.now, next);
      for (const s of [this.a, this.b]) if ((s.fsm.nextDeadline() ?? Infinity) <= this.now) this.apply(s, s.fsm.tick(this.now));
      this.run();
    }
    this.now = to;
  }

  /** Messages a side sent since index `from` of its action log, decoded. */
  sent(s: Side, from = 0): Message[] {
    return s.actions.slice(from).flatMap((x) => (x.type === 'send' ? [x.message] : []));
  }

  mark(s: Side): number {
    return s.actions.length;
  }
}

const A_CFG: BgpFsmConfig = { localAsn: 65000, peerAsn: 4200000001, bgpId: '10.0.0.1', holdTimeSeconds: 90 };
const B_CFG: BgpFsmConfig = { localAsn: 4200000001, peerAsn: 65000, bgpId: '10.0.0.2', holdTimeSeconds: 30, passive: true };

function established(): Wire {
  const w = new Wire(A_CFG, B_CFG);
  w.start();
  expect(w.a.fsm.state).toBe('Established');
  expect(w.b.fsm.state).toBe('Established');
  return w;
}

const ROUTES_V4_V6: Update = {
  type: 'update',
  withdrawn: [],
  attributes: {
    mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::1', 'fe80::1'], nlri: ['2001:db8:100::/48'] },
    origin: 'igp',
    asPath: [{ type: 'sequence', asns: [65000] }],
    nextHop: '169.254.0.1',
    communities: [0xffffff01],
  },
  nlri: ['198.51.100.0/24', '203.0.113.0/25'],
};

describe('establishment between two FSMs', () => {
  it('goes Idle -> Connect/Active -> OpenSent -> OpenConfirm -> Established on both sides', () => {
    const w = established();
    expect(w.a.states).toEqual(['Connect', 'OpenSent', 'OpenConfirm', 'Established']);
    expect(w.b.states).toEqual(['Active', 'OpenSent', 'OpenConfirm', 'Established']);
    expect(w.a.actions.find((x) => x.type === 'connect')).toEqual({ type: 'connect', conn: 'out-1' });
    expect(w.b.actions.some((x) => x.type === 'connect')).toBe(false); // passive
    expect(w.a.fsm.counters.establishedTransitions).toBe(1);
  });

  it('sends an OPEN with AS_TRANS, the four-octet AS capability, both families and route refresh', () => {
    const w = established();
    const openB = w.sent(w.b)[0]!;
    expect(openB.type).toBe('open');
    if (openB.type !== 'open') return;
    expect(openB.myAs).toBe(23456);
    expect(openB.holdTime).toBe(30);
    expect(openB.capabilities).toEqual([
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'multiprotocol', afi: 2, safi: 1 },
      { kind: 'routeRefresh' },
      { kind: 'fourOctetAs', asn: 4200000001 },
    ]);
    // The bytes on the wire are the OPEN encoded, and decode to it.
    const act = w.b.actions.find((x) => x.type === 'send')!;
    expect(act.type === 'send' && decodeMessage(act.bytes)).toEqual(openB);
  });

  it('negotiates hold time min(90, 30) = 30 s, keepalive 10 s, four-octet AS, both families', () => {
    const w = established();
    for (const s of [w.a, w.b]) {
      expect(s.fsm.negotiated).toMatchObject({ holdTime: 30, keepaliveTime: 10, fourOctetAs: true, routeRefresh: true });
      expect(s.fsm.negotiated!.families).toHaveLength(2);
    }
    expect(w.a.fsm.negotiated!.peerAsn).toBe(4200000001);
    expect(w.a.fsm.nextDeadline()).toBe(10_000);
  });

  it('keeps the session with a KEEPALIVE every 10 s on the simulated clock', () => {
    const w = established();
    const m = w.mark(w.a);
    w.advance(9_999);
    expect(w.sent(w.a, m)).toEqual([]);
    w.advance(1);
    expect(w.sent(w.a, m)).toEqual([{ type: 'keepalive' }]);
    w.advance(290_000);
    expect(w.a.fsm.state).toBe('Established');
    expect(w.b.fsm.state).toBe('Established');
    expect(w.sent(w.a, m).length).toBe(30);
  });

  it('with hold time 0 on one side sends no KEEPALIVEs and runs no timer (RFC 4271 §4.4)', () => {
    const w = new Wire({ ...A_CFG, holdTimeSeconds: 0 }, B_CFG);
    w.start();
    expect(w.a.fsm.state).toBe('Established');
    expect(w.a.fsm.negotiated).toMatchObject({ holdTime: 0, keepaliveTime: 0 });
    expect(w.a.fsm.nextDeadline()).toBeNull();
    expect(w.b.fsm.nextDeadline()).toBeNull();
    const m = w.mark(w.a);
    w.advance(3_600_000);
    expect(w.sent(w.a, m)).toEqual([]);
    expect(w.a.fsm.state).toBe('Established');
  });

  it('a configured keepalive of 5 s is used under the hold time', () => {
    const w = new Wire({ ...A_CFG, keepaliveTimeSeconds: 5 }, B_CFG);
    w.start();
    expect(w.a.fsm.negotiated!.keepaliveTime).toBe(5);
    expect(w.b.fsm.negotiated!.keepaliveTime).toBe(10);
  });
});

describe('hold timer', () => {
  it('a silent peer: NOTIFICATION Hold Timer Expired (4/0) after exactly 30 s, then Idle', () => {
    const w = established();
    w.b.mute = true;
    const m = w.mark(w.a);
    w.advance(29_999);
    expect(w.a.fsm.state).toBe('Established');
    w.advance(1);
    const sent = w.sent(w.a, m);
    expect(sent.at(-1)).toEqual({ type: 'notification', code: 4, subcode: 0, data: new Uint8Array(0) });
    expect(w.a.fsm.state).toBe('Idle');
    expect(w.a.fsm.lastError).toMatchObject({ direction: 'sent', code: 4, subcode: 0, name: 'Hold Timer Expired' });
    expect(w.a.actions.slice(m)).toContainEqual(expect.objectContaining({ type: 'disconnect', conn: 'out-1' }));
    expect(w.a.actions.slice(m)).toContainEqual({ type: 'stateChange', from: 'Established', to: 'Idle', reason: 'Hold Timer Expired' });
  });

  it('in OpenSent the hold timer is the large value, 240 s (RFC 4271 §8.2.2)', () => {
    const w = new Wire({ ...A_CFG, passive: true }, B_CFG);
    w.apply(w.a, w.a.fsm.handle(0, { type: 'ManualStart' }));
    w.dial(w.b, 'silent-1'); // B's FSM knows nothing of it: A's OPEN is never answered
    w.run();
    expect(w.a.fsm.state).toBe('OpenSent');
    w.advance(239_999);
    expect(w.a.fsm.state).toBe('OpenSent');
    w.advance(1);
    expect(w.a.fsm.lastError).toMatchObject({ code: 4, subcode: 0 });
    expect(w.a.fsm.state).toBe('Idle');
  });

  it('after Idle, the automatic restart comes 5 s later and the session comes back', () => {
    const w = established();
    w.b.mute = true;
    w.advance(30_000);
    expect(w.a.fsm.state).toBe('Idle');
    w.b.mute = false;
    w.advance(4_999);
    expect(w.a.fsm.state).toBe('Idle');
    w.advance(1);
    expect(w.a.fsm.state).toBe('Established');
    expect(w.a.fsm.counters.establishedTransitions).toBe(2);
  });
});

describe('OPEN errors', () => {
  it('wrong peer AS: Bad Peer AS (2/2) sent, the other side records it, both Idle', () => {
    const w = new Wire(A_CFG, { ...B_CFG, peerAsn: 65001, idleHoldTimeSeconds: null });
    w.start();
    expect(w.sent(w.b).map((x) => x.type)).toEqual(['open', 'notification']);
    expect(w.sent(w.b)[1]).toMatchObject({ code: 2, subcode: 2 });
    expect(w.b.fsm.lastError).toMatchObject({ direction: 'sent', code: 2, subcode: 2, name: 'OPEN Message Error / Bad Peer AS' });
    expect(w.a.fsm.lastError).toMatchObject({ direction: 'received', code: 2, subcode: 2 });
    expect(w.a.fsm.state).toBe('Idle');
    expect(w.b.fsm.state).toBe('Idle');
  });

  it('a required capability missing: Unsupported Capability (2/7) listing it (RFC 5492 §5)', () => {
    const w = new Wire({ ...A_CFG, families: [{ afi: 1, safi: 1 }] }, { ...B_CFG, requiredCapabilities: ['ipv6Unicast'] });
    w.start();
    const n = w.sent(w.b)[1]!;
    expect(n.type === 'notification' && [n.code, n.subcode, toHex(n.data)]).toEqual([2, 7, '010400020001']);
    expect(w.a.fsm.lastError).toMatchObject({ direction: 'received', code: 2, subcode: 7 });
  });

  it('only IPv4 announced by the peer: the session comes up with IPv4 only', () => {
    const w = new Wire({ ...A_CFG, families: [{ afi: 1, safi: 1 }] }, B_CFG);
    w.start();
    expect(w.b.fsm.negotiated!.families).toEqual([{ afi: 1, safi: 1 }]);
  });

  /** Brings A to OpenSent on a connection from B, then writes `open` from B. */
  function openSentThen(bytes: Uint8Array): Wire {
    const w = new Wire({ ...A_CFG, passive: true, idleHoldTimeSeconds: null }, B_CFG);
    w.apply(w.a, w.a.fsm.handle(0, { type: 'ManualStart' }));
    w.dial(w.b, 'raw-1');
    w.run();
    expect(w.a.fsm.state).toBe('OpenSent');
    w.inject(w.b, 'raw-1', bytes);
    return w;
  }

  it('OPEN version 3: Unsupported Version Number (2/1) with data 0004, Idle', () => {
    const w = openSentThen(withHeader(1, '03fde800b40a00000200'));
    expect(w.sent(w.a).at(-1)).toEqual({ type: 'notification', code: 2, subcode: 1, data: Uint8Array.of(0, 4) });
    expect(w.a.fsm.state).toBe('Idle');
  });

  it('OPEN hold time 2: Unacceptable Hold Time (2/6)', () => {
    const open = encodeMessage({ type: 'open', version: 4, myAs: 23456, holdTime: 3, bgpId: '10.0.0.2', capabilities: [{ kind: 'fourOctetAs', asn: 4200000001 }] });
    open[23] = 2;
    const w = openSentThen(open);
    expect(w.sent(w.a).at(-1)).toMatchObject({ type: 'notification', code: 2, subcode: 6 });
    expect(w.a.fsm.lastError?.name).toBe('OPEN Message Error / Unacceptable Hold Time');
  });

  it('an UPDATE in OpenSent: FSM error, Receive Unexpected Message in OpenSent State (5/1, RFC 6608)', () => {
    const w = openSentThen(encodeMessage({ type: 'update', withdrawn: [], attributes: {}, nlri: [] }));
    expect(w.sent(w.a).at(-1)).toMatchObject({ type: 'notification', code: 5, subcode: 1 });
  });

  it('a KEEPALIVE with a broken marker: Connection Not Synchronized (1/1)', () => {
    const ka = encodeMessage({ type: 'keepalive' });
    ka[0] = 0;
    const w = openSentThen(ka);
    expect(w.sent(w.a).at(-1)).toMatchObject({ type: 'notification', code: 1, subcode: 1 });
  });
});

describe('connection collision (RFC 4271 §6.8)', () => {
  it('both sides connect at once: the connection opened by the higher BGP Identifier survives, the other gets Cease 6/7', () => {
    const w = new Wire({ ...A_CFG }, { ...B_CFG, passive: false });
    w.start();
    expect(w.a.fsm.state).toBe('Established');
    expect(w.b.fsm.state).toBe('Established');
    // B (10.0.0.2) wins: its own out-1 is kept; A closes its out-1, B closes A:out-1.
    const ceaseA = w.a.actions.find((x) => x.type === 'send' && x.message.type === 'notification');
    const ceaseB = w.b.actions.find((x) => x.type === 'send' && x.message.type === 'notification');
    expect(ceaseA).toMatchObject({ conn: 'out-1', message: { code: 6, subcode: 7 } });
    expect(ceaseB).toMatchObject({ conn: 'A:out-1', message: { code: 6, subcode: 7 } });
    // Traffic continues on the survivor: keepalives flow and nothing else breaks.
    const m = w.mark(w.a);
    w.advance(60_000);
    expect(w.a.actions.slice(m).filter((x) => x.type === 'send').every((x) => x.type === 'send' && x.conn === 'B:out-1')).toBe(true);
    expect(w.a.fsm.state).toBe('Established');
    expect(w.a.fsm.counters.establishedTransitions).toBe(1);
  });

  it('with the identifiers the other way round, the other connection survives', () => {
    const w = new Wire({ ...A_CFG, bgpId: '10.0.0.9' }, { ...B_CFG, passive: false });
    w.start();
    expect(w.a.fsm.state).toBe('Established');
    const ceaseA = w.a.actions.find((x) => x.type === 'send' && x.message.type === 'notification');
    expect(ceaseA).toMatchObject({ conn: 'B:out-1', message: { code: 6, subcode: 7 } });
  });

  it('equal identifiers: the larger AS keeps the connection it opened (RFC 6286 §2.3)', () => {
    const w = new Wire({ ...A_CFG, bgpId: '10.0.0.2' }, { ...B_CFG, passive: false });
    w.start();
    expect(w.a.fsm.state).toBe('Established');
    // B has AS 4200000001 > 65000: B's connection (A's "B:out-1") is kept.
    expect(w.a.actions.find((x) => x.type === 'send' && x.message.type === 'notification')).toMatchObject({ conn: 'out-1' });
  });

  it('a second connection while Established is closed with Cease 6/7 and the session stays up', () => {
    const w = established();
    const m = w.mark(w.a);
    w.dial(w.b, 'again-1');
    w.run();
    w.inject(w.b, 'again-1', encodeMessage(w.b.fsm.open));
    expect(w.a.actions.slice(m)).toContainEqual(expect.objectContaining({ type: 'send', conn: 'B:again-1', message: expect.objectContaining({ code: 6, subcode: 7 }) }));
    expect(w.a.actions.slice(m)).toContainEqual(expect.objectContaining({ type: 'disconnect', conn: 'B:again-1' }));
    expect(w.a.fsm.state).toBe('Established');
    expect(w.a.actions.slice(m).some((x) => x.type === 'stateChange')).toBe(false);
  });
});

describe('routes, withdrawals and RFC 7606 outcomes', () => {
  it('IPv4 and IPv6 routes are installed in the peer Adj-RIB-In with their next hops, then withdrawn', () => {
    const w = established();
    const m = w.mark(w.b);
    w.apply(w.a, w.a.fsm.advertise(w.now, ROUTES_V4_V6));
    w.run();
    const install = w.b.actions.slice(m).find((x) => x.type === 'installRoutes');
    expect(install?.type === 'installRoutes' && install.routes.map((r) => [r.prefix, r.nextHop, r.linkLocalNextHop])).toEqual([
      ['198.51.100.0/24', '169.254.0.1', undefined],
      ['203.0.113.0/25', '169.254.0.1', undefined],
      ['2001:db8:100::/48', '2001:db8::1', 'fe80::1'],
    ]);
    expect(w.b.fsm.adjRibIn.get('198.51.100.0/24')?.attributes.communities).toEqual([0xffffff01]);
    expect(w.b.fsm.prefixCounts().received).toEqual({ ipv4: 2, ipv6: 1 });
    expect(w.a.fsm.prefixCounts().advertised).toEqual({ ipv4: 2, ipv6: 1 });

    const m2 = w.mark(w.b);
    w.apply(w.a, w.a.fsm.advertise(w.now, { type: 'update', withdrawn: ['198.51.100.0/24'], attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8:100::/48'] } }, nlri: [] }));
    w.run();
    expect(w.b.actions.slice(m2)).toEqual([{ type: 'withdrawRoutes', prefixes: ['198.51.100.0/24', '2001:db8:100::/48'] }]);
    expect(w.b.fsm.prefixCounts().received).toEqual({ ipv4: 1, ipv6: 0 });
    expect(w.a.fsm.prefixCounts().advertised).toEqual({ ipv4: 1, ipv6: 0 });
  });

  it('a bad ORIGIN on an installed prefix: treat-as-withdraw, the session stays Established', () => {
    const w = established();
    w.apply(w.a, w.a.fsm.advertise(w.now, ROUTES_V4_V6));
    w.run();
    const m = w.mark(w.b);
    // Same NLRI, ORIGIN value 3 (RFC 7606 §7.1), in the four-octet encoding the session uses.
    const good = encodeMessage({ ...ROUTES_V4_V6, attributes: { ...ROUTES_V4_V6.attributes, mpReach: undefined } }, { fourOctetAs: true });
    const bad = good.slice();
    const originAt = toHex(bad).indexOf('40010100') / 2;
    bad[originAt + 3] = 3;
    w.inject(w.a, 'out-1', bad);
    const acts = w.b.actions.slice(m);
    expect(acts).toContainEqual({ type: 'withdrawRoutes', prefixes: ['198.51.100.0/24', '203.0.113.0/25'] });
    expect(acts).toContainEqual({ type: 'updateErrors', errors: [expect.objectContaining({ action: 'treatAsWithdraw', error: 'invalidOrigin' })] });
    expect(w.b.fsm.state).toBe('Established');
    expect(w.b.fsm.counters.inUpdatesTreatAsWithdraw).toBe(1);
    expect(w.b.fsm.prefixCounts().received).toEqual({ ipv4: 0, ipv6: 1 });
    expect(w.sent(w.b, m).some((x) => x.type === 'notification')).toBe(false);
  });

  it('an AS_PATH that does not start with the peer AS: treat-as-withdraw (RFC 7606 §7.2)', () => {
    const w = established();
    const m = w.mark(w.b);
    w.apply(w.a, w.a.fsm.advertise(w.now, { ...ROUTES_V4_V6, attributes: { ...ROUTES_V4_V6.attributes, asPath: [{ type: 'sequence', asns: [65099] }] } }));
    w.run();
    expect(w.b.actions.slice(m).some((x) => x.type === 'installRoutes')).toBe(false);
    expect(w.b.actions.slice(m)).toContainEqual({ type: 'updateErrors', errors: [expect.objectContaining({ error: 'malformedAsPath' })] });
    expect(w.b.fsm.adjRibIn.size).toBe(0);
  });

  it('a route whose AS_PATH holds the local AS is not installed (loop, RFC 4271 §9.1.2)', () => {
    const w = established();
    w.apply(w.a, w.a.fsm.advertise(w.now, { ...ROUTES_V4_V6, attributes: { ...ROUTES_V4_V6.attributes, asPath: [{ type: 'sequence', asns: [65000, 4200000001] }] } }));
    w.run();
    expect(w.b.fsm.adjRibIn.size).toBe(0);
    expect(w.b.fsm.state).toBe('Established');
  });

  it('an NLRI prefix of /33: Invalid Network Field (3/10) resets the session and drops the peer routes', () => {
    const w = established();
    w.apply(w.a, w.a.fsm.advertise(w.now, ROUTES_V4_V6));
    w.run();
    const m = w.mark(w.b);
    const u = encodeMessage({ ...ROUTES_V4_V6, attributes: { ...ROUTES_V4_V6.attributes, mpReach: undefined }, nlri: ['198.51.100.0/24'] }, { fourOctetAs: true });
    u[u.length - 4] = 33;
    w.inject(w.a, 'out-1', u);
    expect(w.sent(w.b, m)).toEqual([{ type: 'notification', code: 3, subcode: 10, data: new Uint8Array(0) }]);
    expect(w.b.actions.slice(m)).toContainEqual({ type: 'withdrawRoutes', prefixes: ['198.51.100.0/24', '203.0.113.0/25', '2001:db8:100::/48'] });
    expect(w.a.fsm.lastError).toMatchObject({ direction: 'received', code: 3, subcode: 10 });
    expect(w.b.fsm.prefixCounts().received).toEqual({ ipv4: 0, ipv6: 0 });
  });

  it('advertise outside Established throws notEstablished', () => {
    const fsm = new BgpFsm(A_CFG);
    expect(() => fsm.advertise(0, ROUTES_V4_V6)).toThrow(expect.objectContaining({ code: 'notEstablished' }));
  });

  it('ROUTE-REFRESH for a negotiated family is passed up; for another family ignored (RFC 2918 §4)', () => {
    const w = established();
    const m = w.mark(w.b);
    w.apply(w.a, w.a.fsm.requestRouteRefresh(w.now, { afi: 2, safi: 1 }));
    w.run();
    expect(w.b.actions.slice(m)).toEqual([{ type: 'routeRefreshRequest', afi: 2, safi: 1 }]);
    const m2 = w.mark(w.b);
    w.inject(w.a, 'out-1', encodeMessage({ type: 'routeRefresh', afi: 25, subtype: 0, safi: 65 }));
    expect(w.b.actions.slice(m2)).toEqual([]);
  });
});

describe('NOTIFICATION paths and stops', () => {
  it('ManualStop: Cease / Administrative Shutdown (6/2) sent; the peer withdraws the routes and restarts later', () => {
    const w = established();
    w.apply(w.a, w.a.fsm.advertise(w.now, ROUTES_V4_V6));
    w.run();
    const m = w.mark(w.b);
    w.apply(w.a, w.a.fsm.handle(w.now, { type: 'ManualStop' }));
    w.run();
    expect(w.sent(w.a).at(-1)).toMatchObject({ type: 'notification', code: 6, subcode: 2 });
    expect(w.a.fsm.state).toBe('Idle');
    expect(w.b.fsm.state).toBe('Idle');
    expect(w.b.actions.slice(m)).toContainEqual({ type: 'withdrawRoutes', prefixes: ['198.51.100.0/24', '203.0.113.0/25', '2001:db8:100::/48'] });
    expect(w.b.fsm.lastError).toMatchObject({ direction: 'received', code: 6, subcode: 2, name: 'Cease / Administrative Shutdown' });
    // A stays Idle (manual stop), B goes back to listening after its idle hold time.
    w.advance(5_000);
    expect(w.a.fsm.state).toBe('Idle');
    expect(w.b.fsm.state).toBe('Active');
    expect(w.a.fsm.nextDeadline()).toBeNull();
  });

  it('a malformed NOTIFICATION is not answered with one (RFC 4271 §6.4)', () => {
    const w = established();
    const m = w.mark(w.b);
    w.inject(w.a, 'out-1', withHeader(3, '06'));
    expect(w.sent(w.b, m)).toEqual([]);
    expect(w.b.fsm.state).toBe('Idle');
  });

  it('an OPEN in Established: 5/3', () => {
    const w = established();
    const m = w.mark(w.b);
    w.inject(w.a, 'out-1', encodeMessage(w.a.fsm.open));
    expect(w.sent(w.b, m)).toEqual([expect.objectContaining({ type: 'notification', code: 5, subcode: 3 })]);
  });

  it('TCP connection lost in Established: routes withdrawn, Idle', () => {
    const w = established();
    w.apply(w.a, w.a.fsm.advertise(w.now, ROUTES_V4_V6));
    w.run();
    const m = w.mark(w.b);
    w.feed(w.b, { type: 'TcpConnectionFails', conn: 'A:out-1' });
    expect(w.b.fsm.state).toBe('Idle');
    expect(w.b.actions.slice(m)).toContainEqual({ type: 'withdrawRoutes', prefixes: ['198.51.100.0/24', '203.0.113.0/25', '2001:db8:100::/48'] });
    expect(w.b.fsm.lastError).toMatchObject({ direction: 'local' });
  });
});

describe('connecting', () => {
  it('an unanswered connect is dropped and retried when ConnectRetryTimer expires (120 s)', () => {
    const w = new Wire(A_CFG, B_CFG);
    w.a.unanswered = true;
    w.start();
    expect(w.a.fsm.state).toBe('Connect');
    const m = w.mark(w.a);
    w.advance(119_999);
    expect(w.a.actions.length).toBe(m);
    w.advance(1);
    expect(w.a.actions.slice(m)).toEqual([
      { type: 'disconnect', conn: 'out-1', reason: 'ConnectRetryTimer expired' },
      { type: 'connect', conn: 'out-2' },
    ]);
    expect(w.a.fsm.state).toBe('Connect');
  });

  it('a refused connect goes to Idle (RFC 4271 §8.2.2 Connect, Event 18) and is retried after the idle hold time', () => {
    const w = new Wire(A_CFG, B_CFG);
    w.b.accepting = false;
    w.start();
    expect(w.a.fsm.state).toBe('Idle');
    expect(w.a.fsm.counters.connectRetryCounter).toBe(1);
    w.b.accepting = true;
    w.advance(5_000);
    expect(w.a.fsm.state).toBe('Established');
  });

  it('an incoming connection in Idle is refused', () => {
    const fsm = new BgpFsm(B_CFG);
    const step = fsm.handle(0, { type: 'TcpConnectionConfirmed', conn: 'x' });
    expect(step.actions).toEqual([{ type: 'disconnect', conn: 'x', reason: 'incoming connection refused in Idle' }]);
  });

  it('TCP failure in OpenSent: Active with ConnectRetryTimer running (RFC 4271 §8.2.2 OpenSent, Event 18)', () => {
    const w = new Wire(A_CFG, B_CFG);
    w.b.mute = true;
    w.start();
    expect(w.a.fsm.state).toBe('OpenSent');
    const step = w.feed(w.a, { type: 'TcpConnectionFails', conn: 'out-1' });
    expect(w.a.fsm.state).toBe('Active');
    expect(step.nextDeadline).toBe(w.now + 120_000);
    w.b.mute = false;
    w.advance(120_000);
    expect(w.a.fsm.state).toBe('Established');
  });

  it('rejects a local hold time of 2 s at construction', () => {
    expect(() => new BgpFsm({ ...A_CFG, holdTimeSeconds: 2 })).toThrow(expect.objectContaining({ code: 'invalidArgument' }));
  });
});
