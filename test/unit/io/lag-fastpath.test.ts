/**
 * A LAG's distributor and collector in the addon's fast path
 * (src/io/native/lag.c with each member's fastpath.c) against the reference:
 * src/node/lag-port.ts with the TypeScript distributor and collector
 * (src/lacp/distributor.ts) in front of each member's TypeScript SecY. Two
 * identical sets of member SecYs see the same frames under the same member
 * sets; the fast path decides what it takes and leaves the rest to the
 * reference. Member chosen, bytes, verdicts, the collector's drops, PNs and
 * counters must be equal, while all members distribute, after one leaves,
 * with none (the logical port down), and after it comes back.
 */
import { describe, expect, it } from 'vitest';
import { FastPath, LagFastPath, nativeAvailable, nativeGcmEngines } from '../../../src/io/index.js';
import { collectFrame, distributeFrame } from '../../../src/lacp/index.js';
import { CIPHER_SUITES, SecY, sciFromHex, type Sci } from '../../../src/macsec/index.js';
import { addVlanTag, removeVlanTag, vlanOf } from '../../../src/node/vlan.js';
import { seededRandom as prng } from '../../helpers/random.js';

const native = nativeAvailable();
const SUITE = CIPHER_SUITES.find((c) => c.cliName === 'gcm-aes-xpn-256')!;
const SALT = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
const NAMES = ['eth1', 'eth2', 'eth3'];
const ours = (i: number): Sci => sciFromHex(`52540000000100${(i + 1).toString(16).padStart(2, '0')}`);
const peers = (i: number): Sci => sciFromHex(`52540000000200${(i + 1).toString(16).padStart(2, '0')}`);
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function makeSecY(sci: Sci): SecY {
  return new SecY({ txSci: sci, cipherSuite: SUITE, engine: nativeGcmEngines()[0], validateFrames: 'strict', replayProtect: true, replayWindow: 0, protectFrames: true, includeSci: true });
}

/** Member i's SA both ways between `secy` (ours) and its peer. */
function secure(i: number, secy: SecY, peer?: SecY): void {
  const sak = Uint8Array.from({ length: 32 }, (_, k) => (k * 7 + i * 31) & 0xff);
  secy.createRxSc(peers(i));
  secy.createRxSa(peers(i), { an: 0, sak, lowestPn: 1n, ssci: 2, salt: SALT });
  secy.enableRxSa(peers(i), 0);
  secy.createTxSa({ an: 0, sak, nextPn: 1n, ssci: 1, salt: SALT });
  secy.enableTxSa(0);
  if (peer) {
    peer.createTxSa({ an: 0, sak, nextPn: 1n, ssci: 2, salt: SALT });
    peer.enableTxSa(0);
  }
}

/** An IPv4 UDP or TCP frame of one of 64 flows, or now and then another EtherType. */
function clearFrame(r: () => number, vlan?: number): Uint8Array {
  const flow = Math.floor(r() * 64);
  const f = Uint8Array.from({ length: 60 + Math.floor(r() * 1200) }, () => Math.floor(r() * 256));
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  if (r() < 0.1) {
    f.set([0x08, 0x06], 12); // ARP: MACs only
  } else {
    f.set([0x08, 0x00, 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, flow & 1 ? 6 : 17, 0, 0, 10, 0, 0, 1, 10, 0, flow >> 3, 2], 12);
    f.set([0x80, flow, 0x13, 0x89], 34);
  }
  return vlan === undefined ? f : addVlanTag(f, vlan);
}

/** A LACPDU's first octets (Slow Protocols, subtype 1): enough for the distributor to leave it. */
function lacpdu(i: number): Uint8Array {
  const f = new Uint8Array(124);
  f.set([0x01, 0x80, 0xc2, 0, 0, 2, 2, 0, 0, 2, 0, i + 1, 0x88, 0x09, 1, 1], 0);
  return f;
}

type Outcome = { kind: 'noMember' | 'lacp' | 'notCollecting' | 'noTap' } | { kind: 'drop'; verdict: string } | { kind: 'wire'; member: number; frame: string } | { kind: 'tap'; tap: number; frame: string };

/** lag-port.ts fromControlledSide + macsec-port.ts, for a frame from TAP `tap`. */
function referenceTx(secys: SecY[], taps: number[], distributing: string[], tap: number, f: Uint8Array): Outcome {
  const g = taps[tap]! >= 0 ? addVlanTag(f, taps[tap]!) : f;
  const m = distributeFrame(g, NAMES, distributing);
  if (m === undefined) return { kind: 'noMember' };
  const i = NAMES.indexOf(m);
  const r = secys[i]!.protect(g);
  if (!r.ok) throw new Error(r.reason);
  return { kind: 'wire', member: i, frame: hex(r.frame) };
}

/** macsec-port.ts fromWire + lag-port.ts fromMember and deliver, for a frame on member i's wire. */
function referenceRx(secy: SecY, taps: number[], collecting: string[], i: number, f: Uint8Array): Outcome {
  const r = secy.validate(f);
  if (!r.ok) return { kind: 'drop', verdict: r.verdict };
  if (((r.frame[12]! << 8) | r.frame[13]!) === 0x8809) return { kind: 'lacp' };
  if (!collectFrame(NAMES[i]!, collecting)) return { kind: 'notCollecting' };
  if (taps.length === 1 && taps[0] === -1) return { kind: 'tap', tap: 0, frame: hex(r.frame) };
  const vid = vlanOf(r.frame) ?? -1;
  const tap = taps.indexOf(vid);
  return tap < 0 ? { kind: 'noTap' } : { kind: 'tap', tap, frame: hex(vid >= 0 ? removeVlanTag(r.frame) : r.frame) };
}

function run(seed: number, taps: number[]) {
  const r = prng(seed);
  const ref = NAMES.map((_, i) => makeSecY(ours(i)));
  const fast = NAMES.map((_, i) => makeSecY(ours(i)));
  const peer = NAMES.map((_, i) => makeSecY(peers(i)));
  const fps = fast.map((secy) => {
    const fp = FastPath.create();
    // A member's own TAP table is a placeholder: it delivers to its LAG's TAPs.
    const reconfigure = () => fp.configure({ enabled: true, blocked: false, taps: [-1], eapolEtherType: 0x888e, clearText: [], ...secy.fastPathTables() });
    secy.onChange = reconfigure;
    reconfigure();
    return fp;
  });
  NAMES.forEach((_, i) => {
    secure(i, ref[i]!);
    secure(i, fast[i]!, peer[i]!);
  });
  const lag = LagFastPath.create();
  const mask = (on: string[]) => NAMES.reduce((m, n, i) => (on.includes(n) ? m | (1 << i) : m), 0);
  const seen = { fastTx: [0, 0, 0], refTx: 0, fastRx: 0, refRx: 0, dropped: 0, phases: [] as Array<Record<string, number[]>> };
  // Member sets as LACP would give them: all, eth2 gone (detached: neither), none (logical port down), all again.
  const phases: Array<[string[], string[]]> = [
    [NAMES, NAMES],
    [['eth1', 'eth3'], ['eth1', 'eth3']],
    [[], []],
    [NAMES, NAMES],
  ];
  // Each phase's member per flow, to see that a member leaving moves only its own flows.
  const flowMember: Array<Map<string, number>> = [];
  for (const [distributing, collecting] of phases) {
    lag.configure({ enabled: true, members: fps, distributing: mask(distributing), collecting: mask(collecting), taps });
    const flows = new Map<string, number>();
    flowMember.push(flows);
    for (let step = 0; step < 300; step++) {
      if (r() < 0.5) {
        const tap = Math.floor(r() * taps.length);
        const f = clearFrame(r);
        const want = referenceTx(ref, taps, distributing, tap, f);
        const res = lag.process([f], tap);
        let got: Outcome;
        if (res.out.length) {
          const o = res.out[0]!;
          seen.fastTx[o.member!]!++;
          got = { kind: 'wire', member: o.member!, frame: hex(o.frame) };
        } else {
          seen.refTx++;
          got = referenceTx(fast, taps, distributing, tap, f);
        }
        expect(got, `tx, members ${distributing.join(',')}, step ${step}`).toEqual(want);
        if (got.kind === 'wire') flows.set(hex(f.subarray(26, 38)), got.member);
      } else {
        const i = Math.floor(r() * NAMES.length);
        const vids = taps.filter((v) => v >= 0);
        const kind = r();
        const clear = kind < 0.05 ? lacpdu(i) : clearFrame(r, vids.length ? (r() < 0.9 ? vids[Math.floor(r() * vids.length)] : 999) : undefined);
        const p = peer[i]!.protect(clear);
        let f = p.ok ? new Uint8Array(p.frame) : clear;
        if (kind > 0.95) f = lacpdu(i); // a LACPDU in clear (not yet secured)
        else if (kind > 0.92) f[f.length - 1]! ^= 1; // ICV wrong
        const want = referenceRx(ref[i]!, taps, phases[flowMember.length - 1]![1], i, f);
        const res = fps[i]!.process('rx', [f]);
        let got: Outcome;
        if (res.out.length) {
          const o = res.out[0]!;
          if (o.tap < 0) {
            seen.dropped++;
            got = { kind: 'notCollecting' };
          } else {
            seen.fastRx++;
            got = { kind: 'tap', tap: o.tap, frame: hex(o.frame) };
          }
        } else {
          seen.refRx++;
          got = referenceRx(fast[i]!, taps, phases[flowMember.length - 1]![1], i, f);
        }
        expect(got, `rx on ${NAMES[i]}, collecting ${collecting.join(',')}, step ${step}`).toEqual(want);
      }
    }
  }
  for (let i = 0; i < NAMES.length; i++) {
    expect(fast[i]!.snapshot()).toEqual(ref[i]!.snapshot());
    expect(fast[i]!.counters).toEqual(ref[i]!.counters);
  }
  const st = lag.stats();
  expect(st.txByMember).toEqual(seen.fastTx);
  expect(st.rxNotCollecting).toBe(seen.dropped);
  expect(st.txFrames).toBe(seen.fastTx.reduce((a, b) => a + b));
  return { seen, flowMember, st };
}

describe.skipIf(!native)('LAG fast path: addon distributor and collector = lag-port.ts with the TypeScript reference', () => {
  it('one untagged TAP: the same member, bytes and verdicts in every member set; the fast path takes the data', () => {
    const { seen, flowMember, st } = run(1, [-1]);
    // Each member carried flows while it distributed, through the fast path.
    for (const n of seen.fastTx) expect(n).toBeGreaterThan(20);
    expect(seen.fastRx).toBeGreaterThan(200);
    expect(seen.dropped).toBeGreaterThan(10); // frames on members not collecting (eth2 gone, then all)
    // With no member distributing, every frame went to JavaScript (which counts txNoMember).
    expect(st.txToJs).toBeGreaterThan(50);
    // eth2 leaving moved eth2's flows only: eth1's and eth3's stayed where they were.
    const [all, without] = [flowMember[0]!, flowMember[1]!];
    let stayed = 0;
    for (const [flow, m] of without) {
      const before = all.get(flow);
      if (before !== undefined && before !== 1) {
        expect(m, `flow ${flow}`).toBe(before);
        stayed++;
      }
      expect(m).not.toBe(1);
    }
    expect(stayed).toBeGreaterThan(10);
  });

  it('VLAN TAPs (100, 200): the same member and bytes, frames of an unknown VLAN left to JavaScript', () => {
    const { seen } = run(7, [100, 200]);
    expect(seen.fastTx.reduce((a, b) => a + b)).toBeGreaterThan(100);
    expect(seen.refRx).toBeGreaterThan(0);
  });

  it('bad configurations are refused naming the field, and a LAG fast path is not a port fast path', () => {
    const a = FastPath.create();
    const b = FastPath.create();
    const lag = LagFastPath.create();
    const base = { enabled: true, members: [a, b], distributing: 3, collecting: 3, taps: [-1] };
    expect(() => lag.configure({ ...base, members: [a, a] })).toThrow(/given twice/);
    expect(() => lag.configure({ ...base, members: [] })).toThrow(/members must be 1 to 8/);
    expect(() => lag.configure({ ...base, taps: [] })).toThrow(/taps/);
    expect(() => lag.configure({ ...base, taps: [5000] })).toThrow(/taps/);
    lag.configure(base);
    expect(() => LagFastPath.create().configure(base)).toThrow(/another LAG/);
    expect(() => lag.process([new Uint8Array(60)], 3)).not.toThrow();
    expect(lag.process([new Uint8Array(60)], 3).left).toEqual([0]);
  });
});
