/**
 * The LACP machines of 802.1AX-2014 6.4 on an injected clock: two (or three)
 * systems on in-memory member wires. Each scenario reads like the standard;
 * the last test checks that together they took every transition of the
 * Receive (figure 6-18), Periodic Transmission (6-19) and Mux (6-21, independent
 * control) diagrams and of the Selected variable.
 */
import { describe, expect, it } from 'vitest';
import { Lag, LacpError, STATE, encodeLacpdu, encodeMarkerPdu, decodeMarkerPdu, type LagConfig } from '../../../src/lacp/index.js';
import { Bench, lagConfig, mac } from './harness.js';

const seen = new Set<string>();

function bench(): Bench {
  const b = new Bench();
  // Collect transitions of every scenario for the coverage test at the end.
  const record = (): void => {
    for (const t of b.transitionSet()) seen.add(t);
  };
  benches.push(record);
  return b;
}
const benches: Array<() => void> = [];

/** Two systems A and B, `n` members each, m_i wired to m_i. */
function pair(n: number, a: Partial<LagConfig> = {}, bc: Partial<LagConfig> = {}): Bench {
  const b = bench();
  b.add('A', lagConfig(1, n, a));
  b.add('B', lagConfig(2, n, bc));
  for (let i = 1; i <= n; i++) b.connect(`A/m${i}`, `B/m${i}`);
  return b;
}

describe('forming a LAG of two members, both active and fast', () => {
  const b = pair(2);
  it('enabled: EXPIRED and silent until the periodic timer fires (Fast_Periodic_Time, 1 s)', () => {
    expect(b.port('A', 'm1').receive).toBe('EXPIRED');
    expect(b.port('A', 'm1').periodic).toBe('FAST_PERIODIC');
    expect(b.sent).toEqual([]);
  });
  it('after 1 s: LACPDUs exchanged, CURRENT, selected, WAITING', () => {
    b.advance(1_000);
    expect(b.port('A', 'm1').receive).toBe('CURRENT');
    expect(b.port('A', 'm1').selected).toBe('SELECTED');
    expect(b.port('A', 'm1').mux).toBe('WAITING');
    expect(b.lag('A').distributing()).toEqual([]);
    expect(b.lag('A').logicalPortUp).toBe(false);
  });
  it('after Aggregate_Wait_Time (2 s) both members attach, collect and distribute on both sides', () => {
    b.advance(2_000);
    for (const l of ['A', 'B']) {
      for (const m of ['m1', 'm2']) {
        const p = b.port(l, m);
        expect([l, m, p.mux]).toEqual([l, m, 'DISTRIBUTING']);
        expect(p.actorStateLetters).toBe('ATGSCD--');
      }
      expect(b.lag(l).distributing()).toEqual(['m1', 'm2']);
      expect(b.lag(l).collecting()).toEqual(['m1', 'm2']);
      expect(b.lag(l).logicalPortUp).toBe(true);
    }
    expect(b.events.filter((e) => e.type === 'logicalPortUp').map((e) => e.lag)).toEqual(expect.arrayContaining(['A', 'B']));
  });
  it('LACPDUs on the wire carry the actor and what it knows of the partner', () => {
    const last = b.lacpdus('A', 'm2').at(-1)!;
    expect(last.actor).toMatchObject({ systemPriority: 0x8000, key: 1, port: 2, portPriority: 0x8000 });
    expect(last.actor.system).toEqual(mac(0, 1));
    expect(last.source).toEqual(mac(2, 1));
    expect(last.destination).toEqual(Uint8Array.from([1, 0x80, 0xc2, 0, 0, 2]));
    expect(last.partner.system).toEqual(mac(0, 2));
    expect(last.partner.port).toBe(2);
    expect(last.partner.state & STATE.synchronization).toBeTruthy();
  });
  it('steady state: one LACPDU a second per member (the partner asked for short timeouts)', () => {
    const t0 = b.now;
    b.advance(10_000);
    const n = b.lacpdus('A', 'm1', t0 + 1).length;
    expect(n).toBeGreaterThanOrEqual(9);
    expect(n).toBeLessThanOrEqual(11);
    expect(b.port('A', 'm1').periodic).toBe('FAST_PERIODIC');
  });
  it('never more than three LACPDUs in any second on a member (802.1AX-2014 6.4.16)', () => {
    for (const l of ['A', 'B'])
      for (const m of ['m1', 'm2']) {
        const times = b.sent.filter((s) => s.lag === l && s.port === m).map((s) => s.at);
        for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!).toBeGreaterThanOrEqual(1_000);
      }
  });
});

describe('a member cut and restored', () => {
  const b = pair(2);
  b.advance(3_000);
  it('cut: the member goes PORT_DISABLED on both sides, stops collecting and distributing at once; the other carries on', () => {
    b.cut('A/m1', true);
    for (const l of ['A', 'B']) {
      expect(b.port(l, 'm1').receive).toBe('PORT_DISABLED');
      expect(b.port(l, 'm1').mux).toBe('ATTACHED');
      expect(b.port(l, 'm1').periodic).toBe('NO_PERIODIC');
      expect(b.lag(l).distributing()).toEqual(['m2']);
      expect(b.lag(l).logicalPortUp).toBe(true);
    }
  });
  it('restored: EXPIRED, then CURRENT on the first LACPDU, and distributing again without waiting', () => {
    b.cut('A/m1', false);
    b.advance(1_000);
    for (const l of ['A', 'B']) {
      expect(b.port(l, 'm1').receive).toBe('CURRENT');
      expect(b.port(l, 'm1').mux).toBe('DISTRIBUTING');
      expect(b.lag(l).distributing()).toEqual(['m1', 'm2']);
    }
  });
});

describe('a partner that falls silent (its LACPDUs lost, the link still up)', () => {
  const b = pair(2);
  b.advance(3_000);
  const t0 = b.now;
  b.muted.add('B/m2');
  it('after Short_Timeout_Time (3 s): EXPIRED, partner out of sync, the member stops distributing and collecting', () => {
    b.advance(3_000);
    const p = b.port('A', 'm2');
    expect(p.receive).toBe('EXPIRED');
    expect(p.actorFlags).toContain('expired');
    expect(p.mux).toBe('ATTACHED');
    expect(b.lag('A').distributing()).toEqual(['m1']);
    const expiredAt = b.transitions.find((t) => t.at >= t0 && t.lag === 'A' && t.port === 'm2' && t.to === 'EXPIRED')!.at;
    expect(expiredAt - t0).toBeGreaterThan(2_000);
    expect(expiredAt - t0).toBeLessThanOrEqual(3_000);
  });
  it('3 s later: DEFAULTED, partner from the admin values, unselected and detached', () => {
    b.advance(3_000);
    const p = b.port('A', 'm2');
    expect(p.receive).toBe('DEFAULTED');
    expect(p.actorFlags).toContain('defaulted');
    expect(p.actorFlags).not.toContain('expired');
    expect(p.selected).toBe('UNSELECTED');
    expect(p.mux).toBe('DETACHED');
    expect(p.partner.system).toBe('00:00:00:00:00:00');
  });
  it('while defaulted it keeps sending every second (partner admin state asks for short timeouts with rate fast)', () => {
    const t = b.now;
    b.advance(5_000);
    expect(b.lacpdus('A', 'm2', t + 1).length).toBeGreaterThanOrEqual(4);
  });
  it('the partner heard again: CURRENT, selected, waits, and distributes again', () => {
    b.muted.delete('B/m2');
    b.advance(1_000);
    expect(b.port('A', 'm2').receive).toBe('CURRENT');
    expect(b.port('A', 'm2').selected).toBe('SELECTED');
    b.advance(3_000);
    expect(b.port('A', 'm2').mux).toBe('DISTRIBUTING');
    expect(b.lag('A').distributing()).toEqual(['m1', 'm2']);
  });
});

describe('rates: a fast system facing a slow one', () => {
  const b = pair(1, {}, { rate: 'slow' });
  b.advance(5_000);
  it('A sends every 30 s (B asks for long timeouts), B every second (A asks for short)', () => {
    expect(b.port('A', 'm1').periodic).toBe('SLOW_PERIODIC');
    expect(b.port('B', 'm1').periodic).toBe('FAST_PERIODIC');
    const t = b.now;
    b.advance(60_000);
    expect(b.lacpdus('A', 'm1', t + 1).length).toBe(2);
    expect(b.lacpdus('B', 'm1', t + 1).length).toBeGreaterThanOrEqual(59);
    expect(b.port('A', 'm1').mux).toBe('DISTRIBUTING');
    expect(b.port('B', 'm1').mux).toBe('DISTRIBUTING');
  });
  it('B waits Long_Timeout_Time (90 s) for A; A, expired after 3 s, sends at once to resynchronise', () => {
    b.muted.add('B/m1');
    const t = b.now;
    b.advance(3_000);
    expect(b.port('A', 'm1').receive).toBe('EXPIRED');
    // EXPIRED sets the partner's timeout to short: SLOW_PERIODIC -> PERIODIC_TX -> FAST_PERIODIC.
    expect(b.port('A', 'm1').periodic).toBe('FAST_PERIODIC');
    expect(b.lacpdus('A', 'm1', t + 1).length).toBeGreaterThanOrEqual(1);
    b.muted.delete('B/m1');
    b.muted.add('A/m1');
    b.advance(89_000);
    expect(b.port('B', 'm1').receive).toBe('CURRENT');
    b.advance(3_000);
    expect(b.port('B', 'm1').receive).toBe('EXPIRED');
  });
});

describe('active and passive', () => {
  it('passive facing passive: no LACPDU at all, nothing forms', () => {
    const b = pair(1, { mode: 'passive' }, { mode: 'passive' });
    b.advance(10_000);
    expect(b.sent).toEqual([]);
    expect(b.port('A', 'm1').periodic).toBe('NO_PERIODIC');
    expect(b.port('A', 'm1').receive).toBe('DEFAULTED');
    expect(b.lag('A').logicalPortUp).toBe(false);
  });
  it('passive facing active: the passive end answers, and the LAG forms', () => {
    const b = pair(1, { mode: 'passive' });
    b.advance(4_000);
    expect(b.port('A', 'm1').actorFlags).not.toContain('lacpActivity');
    expect(b.port('A', 'm1').mux).toBe('DISTRIBUTING');
    expect(b.port('B', 'm1').mux).toBe('DISTRIBUTING');
    expect(b.lacpdus('A', 'm1').length).toBeGreaterThan(0);
  });
});

describe('LACP disabled on a member', () => {
  const b = pair(1);
  b.advance(3_000);
  it('LACP_Enabled is read when the port comes up (6.4.8): LACP_DISABLED, unselected, detached, partner not aggregatable, no LACPDU', () => {
    b.absorb('A', b.lag('A').setLacpEnabled(b.now, 'm1', false));
    b.flush();
    const t = b.now;
    b.advance(3_000);
    const p = b.port('A', 'm1');
    expect(p.receive).toBe('LACP_DISABLED');
    expect(p.mux).toBe('DETACHED');
    expect(p.partner.flags).not.toContain('aggregation');
    expect(b.lacpdus('A', 'm1', t + 1)).toEqual([]);
  });
  it('enabled again: through PORT_DISABLED to EXPIRED, then CURRENT and distributing', () => {
    b.absorb('A', b.lag('A').setLacpEnabled(b.now, 'm1', true));
    b.flush();
    b.advance(4_000);
    expect(b.port('A', 'm1').mux).toBe('DISTRIBUTING');
  });
});

describe('minimumLinks', () => {
  const b = pair(2, { minimumLinks: 2 });
  b.advance(3_000);
  it('with both members distributing the logical port is up', () => {
    expect(b.lag('A').logicalPortUp).toBe(true);
  });
  it('one member cut: below minimumLinks, the logical port goes down and nothing is distributed or collected', () => {
    b.cut('A/m2', true);
    expect(b.lag('A').logicalPortUp).toBe(false);
    expect(b.lag('A').distributing()).toEqual([]);
    expect(b.lag('A').collecting()).toEqual([]);
    expect(b.lag('B').logicalPortUp).toBe(true);
    expect(b.events.filter((e) => e.lag === 'A' && e.type === 'logicalPortDown')).toHaveLength(1);
  });
  it('back: up again; UpdateLag to minimumLinks 0 keeps it up on one member', () => {
    b.cut('A/m2', false);
    b.advance(2_000);
    expect(b.lag('A').logicalPortUp).toBe(true);
    b.absorb('A', b.lag('A').setMinimumLinks(b.now, 0));
    b.cut('A/m2', true);
    expect(b.lag('A').logicalPortUp).toBe(true);
    expect(() => b.lag('A').setMinimumLinks(b.now, 3)).toThrow(/minimumLinks: 3/);
  });
});

describe('selection by aggregation key and partner', () => {
  it('a member facing another system stays UNSELECTED; one facing the same partner joins', () => {
    const b = bench();
    b.add('A', lagConfig(1, 2));
    b.add('B', lagConfig(2, 1));
    b.add('C', lagConfig(3, 1));
    b.connect('A/m1', 'B/m1');
    b.advance(3_000);
    b.connect('A/m2', 'C/m1');
    b.advance(5_000);
    expect(b.port('A', 'm1').mux).toBe('DISTRIBUTING');
    expect(b.port('A', 'm2').receive).toBe('CURRENT');
    expect(b.port('A', 'm2').selected).toBe('UNSELECTED');
    expect(b.port('A', 'm2').mux).toBe('DETACHED');
    expect(b.lag('A').status().partnerSystem).toBe('02:00:00:02:00:00');
  });
  it('a partner with another key is not bundled with the first', () => {
    const b = bench();
    b.add('A', lagConfig(1, 2));
    b.add('B', lagConfig(2, 1, { key: 7 }));
    const c = lagConfig(2, 1, { key: 8 });
    c.ports[0]!.portNumber = 2;
    b.add('B2', c);
    b.connect('A/m1', 'B/m1');
    b.advance(3_000);
    b.connect('A/m2', 'B2/m1');
    b.advance(5_000);
    expect(b.port('A', 'm2').selected).toBe('UNSELECTED');
    expect(b.lag('A').distributing()).toEqual(['m1']);
  });
  it('a loop (a member wired to another member of the same system) is never selected', () => {
    const b = bench();
    b.add('A', lagConfig(1, 2));
    b.connect('A/m1', 'A/m2');
    b.advance(10_000);
    expect(b.port('A', 'm1').selected).toBe('UNSELECTED');
    expect(b.port('A', 'm1').receive).toBe('CURRENT');
    expect(b.lag('A').logicalPortUp).toBe(false);
  });
  it('maxLinks 1: the second member is STANDBY, and SELECTED when the first leaves', () => {
    const b = pair(2, { maxLinks: 1 });
    b.advance(3_000);
    expect(b.port('A', 'm1').mux).toBe('DISTRIBUTING');
    expect(b.port('A', 'm2').selected).toBe('STANDBY');
    expect(b.port('A', 'm2').mux).toBe('WAITING');
    b.muted.add('B/m1');
    b.advance(6_100);
    expect(b.port('A', 'm1').selected).toBe('UNSELECTED');
    b.advance(3_000);
    expect(b.port('A', 'm2').selected).toBe('SELECTED');
    expect(b.port('A', 'm2').mux).toBe('DISTRIBUTING');
  });
  it('a new partner while WAITING: unselected back to DETACHED, then selected for the new one', () => {
    const b = bench();
    b.add('A', lagConfig(1, 1));
    b.add('B', lagConfig(2, 1));
    b.add('C', lagConfig(3, 1));
    b.connect('A/m1', 'B/m1');
    b.advance(1_000);
    expect(b.port('A', 'm1').mux).toBe('WAITING');
    b.unplug('A/m1');
    b.connect('A/m1', 'C/m1');
    b.advance(1_100);
    expect(b.transitions.some((t) => t.lag === 'A' && t.machine === 'mux' && t.from === 'WAITING' && t.to === 'DETACHED')).toBe(true);
    b.advance(3_000);
    expect(b.port('A', 'm1').mux).toBe('DISTRIBUTING');
    expect(b.port('A', 'm1').partner.system).toBe('02:00:00:03:00:00');
  });
  it('port_moved: the partner of a disabled member shows up on another member, which re-initialises the first', () => {
    const b = bench();
    b.add('A', lagConfig(1, 2));
    b.add('B', lagConfig(2, 2));
    b.connect('A/m1', 'B/m1');
    b.advance(3_000);
    b.setEnabled('A/m1', false);
    expect(b.port('A', 'm1').receive).toBe('PORT_DISABLED');
    // B's member 1 is re-cabled to A's member 2.
    b.unplug('A/m1');
    b.connect('A/m2', 'B/m1');
    b.advance(1_500);
    expect(b.transitions.some((t) => t.lag === 'A' && t.port === 'm1' && t.from === 'PORT_DISABLED' && t.to === 'INITIALIZE')).toBe(true);
    expect(b.port('A', 'm1').receive).toBe('PORT_DISABLED');
    expect(b.port('A', 'm1').partner.system).toBe('00:00:00:00:00:00');
  });
});

describe('Marker PDUs and bad frames on a member', () => {
  const lag = new Lag(lagConfig(1, 1));
  lag.start(0);
  lag.setPortEnabled(0, 'm1', true);
  const marker = encodeMarkerPdu({ kind: 'marker', source: mac(9, 9), requesterPort: 7, requesterSystem: mac(0, 9), requesterTransactionId: 0xdeadbeef });
  it('a Marker PDU is answered on the same member from its MAC, fields unchanged', () => {
    const out = lag.receive(10, 'm1', marker);
    const replies = out.transmit.filter((t) => t.frame[14] === 2);
    expect(replies).toHaveLength(1);
    const r = decodeMarkerPdu(replies[0]!.frame);
    expect(r).toMatchObject({ kind: 'response', requesterPort: 7, requesterTransactionId: 0xdeadbeef });
    expect(r.requesterSystem).toEqual(mac(0, 9));
    expect(r.source).toEqual(mac(1, 1));
    expect(out.events.map((e) => e.type)).toContain('markerAnswered');
  });
  it('a Marker Response is counted, not answered', () => {
    const resp = encodeMarkerPdu({ kind: 'response', source: mac(9, 9), requesterPort: 1, requesterSystem: mac(0, 1), requesterTransactionId: 1 });
    const out = lag.receive(20, 'm1', resp);
    expect(out.transmit.filter((t) => t.frame[14] === 2)).toEqual([]);
  });
  it('truncated, wrong-TLV and unknown-subtype frames are counted and change nothing', () => {
    const good = encodeLacpdu({ source: mac(1, 2), actor: { systemPriority: 1, system: mac(0, 2), key: 1, portPriority: 1, port: 1, state: 0x3d }, partner: { systemPriority: 0, system: new Uint8Array(6), key: 0, portPriority: 0, port: 0, state: 0 }, collectorMaxDelay: 0 });
    const before = lag.status().ports[0]!.receive;
    lag.receive(30, 'm1', good.subarray(0, 60));
    const badTlv = good.slice();
    badTlv[16] = 9;
    lag.receive(30, 'm1', badTlv);
    const osp = good.slice();
    osp[14] = 3;
    lag.receive(30, 'm1', osp);
    const c = lag.status().ports[0]!.counters;
    expect(c).toMatchObject({ illegalRx: 2, unknownRx: 1, lacpdusRx: 0, markerPdusRx: 1, markerResponsePdusRx: 1, markerResponsePdusTx: 1 });
    expect(lag.status().ports[0]!.receive).toBe(before);
  });
  it('an unknown member name is refused naming it', () => {
    expect(() => lag.receive(40, 'zz', marker)).toThrow(/no member 'zz'/);
  });
});

describe('configuration', () => {
  it.each([
    [{ key: 0 }, /key: 0/],
    [{ minimumLinks: 3 }, /minimumLinks: 3/],
    [{ mode: 'on' as 'active' }, /mode: 'on'/],
    [{ rate: 'medium' as 'fast' }, /rate: 'medium'/],
    [{ system: new Uint8Array(5) }, /system: 5 octets/],
    [{ ports: [] }, /at least one member/],
  ])('refused: %o', (over, re) => {
    expect(() => new Lag(lagConfig(1, 2, over))).toThrow(LacpError);
    expect(() => new Lag(lagConfig(1, 2, over))).toThrow(re);
  });
  it('two members with one port number are refused', () => {
    const c = lagConfig(1, 2);
    c.ports[1]!.portNumber = 1;
    expect(() => new Lag(c)).toThrow(/portNumber: 1 is used by another member/);
  });
});

describe('every transition of the 802.1AX-2014 state diagrams was taken by the scenarios above', () => {
  it('receive, periodic, mux and selection', () => {
    for (const r of benches) r();
    const expected = [
      'receive:INITIALIZE->PORT_DISABLED',
      'receive:PORT_DISABLED->EXPIRED',
      'receive:PORT_DISABLED->LACP_DISABLED',
      'receive:PORT_DISABLED->INITIALIZE',
      'receive:LACP_DISABLED->PORT_DISABLED',
      'receive:EXPIRED->CURRENT',
      'receive:EXPIRED->DEFAULTED',
      'receive:DEFAULTED->CURRENT',
      'receive:CURRENT->CURRENT',
      'receive:CURRENT->EXPIRED',
      'receive:CURRENT->PORT_DISABLED',
      'periodic:NO_PERIODIC->FAST_PERIODIC',
      'periodic:FAST_PERIODIC->PERIODIC_TX',
      'periodic:FAST_PERIODIC->SLOW_PERIODIC',
      'periodic:SLOW_PERIODIC->PERIODIC_TX',
      'periodic:PERIODIC_TX->FAST_PERIODIC',
      'periodic:PERIODIC_TX->SLOW_PERIODIC',
      'periodic:FAST_PERIODIC->NO_PERIODIC',
      'mux:DETACHED->WAITING',
      'mux:WAITING->DETACHED',
      'mux:WAITING->ATTACHED',
      'mux:ATTACHED->DETACHED',
      'mux:ATTACHED->COLLECTING',
      'mux:COLLECTING->ATTACHED',
      'mux:COLLECTING->DISTRIBUTING',
      'mux:DISTRIBUTING->COLLECTING',
      'selection:UNSELECTED->SELECTED',
      'selection:UNSELECTED->STANDBY',
      'selection:STANDBY->SELECTED',
      'selection:SELECTED->UNSELECTED',
    ];
    const missing = expected.filter((t) => !seen.has(t));
    expect(missing).toEqual([]);
  });
});
