/**
 * The attacker's frame surgery and its actions, frame by frame: what snoop
 * reads, drop of MKPDUs only, bitflip in each part, strip, forged SecTAGs
 * and MKPDUs, replay and injection from frames seen on the link.
 */
import { describe, expect, it } from 'vitest';
import { Attacker, bitflip, forge, forgeMkpdu, stripSecTag } from '../../../src/node/attacker.js';
import { classifyFrame, describeFrame } from '../../../src/node/frame-class.js';

const A = [2, 0, 0, 0, 0, 1];
const B = [2, 0, 0, 0, 0, 2];
/** A MACsec frame with SCI: DA SA 88E5 TCI/AN SL PN SCI, 20 octets of secure data, 16 of ICV. */
function macsec(tci = 0x2c, pn = 7): Uint8Array {
  const f = new Uint8Array(12 + 16 + 20 + 16);
  f.set(B, 0);
  f.set(A, 6);
  f.set([0x88, 0xe5, tci, 0, 0, 0, 0, pn], 12);
  f.set([...A, 0, 1], 20);
  f.fill(0xaa, 28, 48);
  f.fill(0xcc, 48);
  return f;
}
/** An MKPDU: Ethernet, EAPOL header, a Basic Parameter Set with a 32-octet CKN, an ICV. */
function mkpdu(): Uint8Array {
  const f = new Uint8Array(18 + 4 + 28 + 32 + 16);
  f.set([1, 0x80, 0xc2, 0, 0, 3], 0);
  f.set(A, 6);
  f.set([0x88, 0x8e, 3, 5, 0, f.length - 18], 12);
  f.set([1, 16, 0x60 | 0, 60], 18);
  f.fill(0x11, 50, 82);
  return f;
}
const ipv4 = (src = A, dst = B) => {
  const f = new Uint8Array(14 + 20);
  f.set(dst, 0);
  f.set(src, 6);
  f.set([0x08, 0x00, 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 12);
  return f;
};

describe('frame surgery', () => {
  it('bitflip changes one bit: the PN top bit, the middle of the secure data, the last ICV octet', () => {
    const f = macsec();
    const diff = (g: Uint8Array) => [...g].flatMap((x, i) => (x !== f[i] ? [[i, x ^ f[i]!]] : []));
    expect(diff(bitflip(f, 'sectag'))).toEqual([[16, 0x80]]);
    expect(diff(bitflip(f, 'payload'))).toEqual([[38, 1]]);
    expect(diff(bitflip(f, 'icv'))).toEqual([[f.length - 1, 1]]);
  });

  it('strip leaves DA, SA and the secure data, without SecTAG and ICV', () => {
    const s = stripSecTag(macsec());
    expect(s.length).toBe(12 + 20);
    expect([...s.subarray(12)]).toEqual(new Array(20).fill(0xaa));
  });

  it('forge: another SCI, the AN + 2, PN 1', () => {
    const f = macsec(0x2c | 1, 9);
    expect(forge(f, 'unknown-sci')[25]).toBe(f[25]! ^ 0x5a);
    expect(forge(f, 'wrong-an')[14]! & 3).toBe(3);
    expect([...forge(f, 'stale-pn').subarray(16, 20)]).toEqual([0, 0, 0, 1]);
  });

  it('forge-mkpdu: the ICV, the last CKN octet, or the MKPDU as it was', () => {
    const m = mkpdu();
    expect(forgeMkpdu(m, 'wrong-icv')![m.length - 1]).toBe(1);
    const k = forgeMkpdu(m, 'unknown-ckn')!;
    expect([...k].flatMap((x, i) => (x !== m[i] ? [i] : []))).toEqual([81]);
    expect(forgeMkpdu(m, 'old-mn')).toEqual(m);
    expect(forgeMkpdu(m.subarray(0, 40), 'unknown-ckn')).toBeUndefined();
  });

  it('classifies what an observer reads', () => {
    expect(classifyFrame(macsec())).toBe('macsecEncrypted');
    expect(classifyFrame(macsec(0x20))).toBe('macsecIntegrityOnly');
    expect(classifyFrame(mkpdu())).toBe('mkpdu');
    expect(classifyFrame(ipv4())).toBe('ipv4');
    expect(describeFrame(macsec())).toMatch(/MACsec AN=0 PN=7 SCI=02:00:00:00:00:01\/1: payload encrypted, unreadable/);
    expect(describeFrame(ipv4())).toMatch(/IPv4 10\.0\.0\.1 > 10\.0\.0\.2 ICMP, readable/);
  });
});

describe('attacker actions', () => {
  it('drop --mkpdu drops MKPDUs only, from one side, and counts them; stop ends it', () => {
    const at = new Attacker(() => 0.5);
    at.run({ action: 'drop', mkpdu: true, from: 0 }, 0);
    expect(at.decide(0, mkpdu(), 1)).toEqual({ drop: 'lost' });
    expect(at.decide(1, mkpdu(), 1)).toMatchObject({ hold: false });
    expect(at.decide(0, macsec(), 1)).toMatchObject({ hold: false });
    expect(at.run({ action: 'stop' }, 2).result).toMatchObject({ touched: 1, stopped: [{ action: 'drop', touched: 1 }] });
    expect(at.decide(0, mkpdu(), 3)).toMatchObject({ hold: false });
  });

  it('replay, inject-forged and forge-mkpdu take frames seen on the link and send them on', () => {
    const at = new Attacker(() => 0.5);
    at.decide(0, mkpdu(), 0);
    for (let pn = 1; pn <= 3; pn++) at.decide(0, macsec(0x2c, pn), 0);
    at.decide(1, ipv4(B, A), 0);
    const replay = at.run({ action: 'replay', count: 2, from: 0 }, 1);
    expect(replay.result.touched).toBe(2);
    expect(replay.send.map((s) => [s.to, s.frame[19]])).toEqual([[1, 2], [1, 3]]);
    expect(at.run({ action: 'inject-forged', kind: 'stale-pn', from: 0 }, 1).send[0]!.frame.subarray(16, 20)).toEqual(Uint8Array.from([0, 0, 0, 1]));
    expect(at.run({ action: 'forge-mkpdu', kind: 'wrong-icv', from: 0 }, 1).send).toHaveLength(1);
    // Nothing of the kind seen from side 1: nothing sent, and it says so.
    expect(at.run({ action: 'replay', from: 1 }, 1).result).toMatchObject({ touched: 0, note: expect.stringMatching(/no frame of that kind/) });
    const clear = at.run({ action: 'inject-clear', type: 'ipv4', from: 0 }, 1).send;
    expect(clear).toHaveLength(1);
    expect([...clear[0]!.frame.subarray(0, 12)]).toEqual([...B, ...A]);
    expect(classifyFrame(clear[0]!.frame)).toBe('ipv4');
  });

  it('snoop counts each class and lists the frames; reset starts again', () => {
    const at = new Attacker(() => 0.5);
    at.decide(0, macsec(), 0);
    at.decide(1, ipv4(), 0);
    const r = at.run({ action: 'snoop', reset: true }, 1).result;
    expect(r).toMatchObject({ touched: 2, readableData: 1, counts: { macsecEncrypted: 1, ipv4: 1 } });
    expect(at.run({ action: 'snoop' }, 1).result).toMatchObject({ touched: 0, readableData: 0 });
  });
});
