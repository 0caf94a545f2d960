/**
 * An attacker inside the link (root): topologies/attacker-router-dx.yaml,
 * router-dx with `mallory` in the link's via, the fast MKA profile, driven with `dxlab attack` as a user
 * drives it. Each action's outcome is asserted from the victim's counters
 * (802.1AE-2018 10.6 for the SecY, 802.1X-2020 9.4 for the KaY), its
 * status and events, and the attacker's own snoop: an observer outside the
 * nodes, so that the nodes' fast path stays on (a capture inside a node
 * turns it off) and is shown to carry the frames.
 *
 * The outcomes, by clause of 802.1AE-2018 10.6 (receive):
 * - replayed and stale-PN frames: PN below the lowest acceptable PN with
 *   replayProtect (10.6.2) -> InPktsLate; so are frames delayed past what
 *   delay protection allows (802.1X-2020 9.10.1 moves the lowest PN up);
 * - one bit flipped in an encrypted frame (SecTAG, secure data or ICV): the
 *   integrity check fails with C = 1 (10.6.2, 10.6.5) -> InPktsNotValid;
 *   in an integrity-only frame, InPktsNotValid under Strict, InPktsInvalid
 *   (and delivered) under Check;
 * - an SCI with no receive SC and C = 1 (or Strict) -> InPktsNoSCI;
 * - an AN with no receive SA in use, C = 1 (or Strict) -> InPktsNotUsingSA;
 * - a frame without SecTAG (injected in clear, or stripped) under Strict
 *   -> InPktsNoTag (10.6.1);
 * and by 802.1X-2020: an MKPDU whose ICV fails is discarded and counted
 * (9.4.1), one of an unknown CKN too, one whose MN is not newer (9.4.2); the
 * session stays secured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { LabSession, rxScSum, secyCounter } from '../helpers/lab-session.js';

const isRoot = process.getuid?.() === 0;

interface Counters {
  ports: Array<{ secy: { secy: Record<string, number>; rxScs: Array<Record<string, unknown>> }; mka: Record<string, number>; fastPath: { active: boolean; txFrames?: number; rxFrames?: number } }>;
}
interface Attack {
  action: string;
  touched: number;
  active?: boolean;
  counts?: Record<string, number>;
  readableData?: number;
  frames?: Array<{ line: string; class: string }>;
}

describe.skipIf(!isRoot)('attacker: router -- mallory -- dx', () => {
  const s = new LabSession('at');
  const attack = (...args: string[]) => s.json<Attack>('attack', 'mallory', ...args);
  const counters = (node: string) => s.json<Counters>('show', 'counters', node);
  const ping = (count = 2, extra: string[] = []) => s.exec('router', 'ping', '-c', String(count), '-i', '0.2', '-W', '2', ...extra, '169.254.100.2');
  const bothSecured = () => s.waitFor('both ends secured', () => s.status(), s.secured('router', 'dx'));
  /** How much a dx counter moved while `f` ran. */
  const delta = async (read: (c: Counters) => number, f: () => unknown | Promise<unknown>) => {
    const before = read(counters('dx'));
    await f();
    return read(counters('dx')) - before;
  };
  const late = (c: Counters) => rxScSum(c, 'inPktsLate');
  const notValid = (c: Counters) => rxScSum(c, 'inPktsNotValid');

  beforeAll(async () => {
    // awsStrict: false on dx: the integrity-only case below sets confidentialityOffset none on the key
    // server, which AWS's DX device never does (dxlab set refuses it on a strict DX device).
    const text = readFileSync(join(ROOT, 'topologies/attacker-router-dx.yaml'), 'utf8').replace('dx: { kind: dx-device }', 'dx: { kind: dx-device, awsStrict: false }');
    expect(text).toContain('awsStrict: false');
    s.up(text);
    await bothSecured();
  }, 120_000);

  afterAll(() => s.down(), 60_000);

  it('snoop: with the fast path on and carrying the frames, the attacker reads no data, only MACsec and MKPDUs', async () => {
    attack('snoop', '--reset');
    expect(ping(5).status).toBe(0);
    const r = counters('router').ports[0]!.fastPath;
    expect(r.active).toBe(true);
    expect(r.txFrames).toBeGreaterThan(0);
    expect(r.rxFrames).toBeGreaterThan(0);
    const seen = attack('snoop');
    expect(seen.counts!.macsecEncrypted).toBeGreaterThanOrEqual(10);
    expect(seen.readableData).toBe(0);
    expect(seen.frames!.some((f) => /payload encrypted, unreadable/.test(f.line))).toBe(true);
    expect(s.dxlab('attack', 'mallory', 'snoop').stdout).toMatch(/mallory saw \d+ frames: \d+ MACsec encrypted, 0 MACsec integrity-only, \d+ MKPDUs, 0 ARP, 0 IPv4, 0 IPv6, 0 other in clear: no readable data\n$/);
  }, 60_000);

  it('replay: captured frames sent again count as late (InPktsLate), each of them', async () => {
    expect(ping(3).status).toBe(0);
    let touched = 0;
    const d = await delta(late, () => (touched = attack('replay', '--from', 'router', '--count', '5').touched));
    expect(touched).toBe(5);
    expect(d).toBe(5);
  }, 60_000);

  for (const where of ['sectag', 'payload', 'icv'] as const) {
    it(`bitflip in the ${where}: the integrity check fails, InPktsNotValid, and nothing reaches the kernel`, async () => {
      const d = await delta(notValid, () => {
        expect(attack('bitflip', '--where', where, '--from', 'router').active).toBe(true);
        expect(ping(2).status).not.toBe(0);
      });
      const stop = s.json<{ stopped: Array<{ action: string; touched: number }> }>('attack', 'mallory', 'stop');
      expect(stop.stopped[0]!.action).toBe('bitflip');
      expect(stop.stopped[0]!.touched).toBeGreaterThanOrEqual(2);
      // Every flipped frame failed at dx (a frame flipped after the counters were read, a BGP keepalive, is the only slack).
      expect(d).toBeGreaterThanOrEqual(2);
      expect(d).toBeLessThanOrEqual(stop.stopped[0]!.touched);
      expect(ping(2).status).toBe(0);
    }, 60_000);
  }

  it('inject-forged: an unknown SCI (InPktsNoSCI), an AN with no SA (InPktsNotUsingSA), a stale PN (InPktsLate)', async () => {
    expect(ping(1).status).toBe(0);
    expect(await delta((c) => secyCounter(c, 'inPktsNoSCI'), () => expect(attack('inject-forged', '--kind', 'unknown-sci', '--from', 'router').touched).toBe(1))).toBe(1);
    expect(await delta((c) => rxScSum(c, 'inPktsNotUsingSA'), () => expect(attack('inject-forged', '--kind', 'wrong-an', '--from', 'router').touched).toBe(1))).toBe(1);
    expect(await delta(late, () => expect(attack('inject-forged', '--kind', 'stale-pn', '--from', 'router').touched).toBe(1))).toBe(1);
  }, 60_000);

  it('inject-clear while secured: ARP and IPv4 in the clear are dropped and counted (InPktsNoTag under Strict)', async () => {
    const noTag = (c: Counters) => secyCounter(c, 'inPktsNoTag');
    expect(await delta(noTag, () => expect(attack('inject-clear', '--type', 'ipv4', '--from', 'router').touched).toBe(1))).toBe(1);
    expect(await delta(noTag, () => expect(attack('inject-clear', '--type', 'arp', '--from', 'router').touched).toBe(1))).toBe(1);
  }, 60_000);

  it('strip: frames without their SecTAG are dropped under Strict (InPktsNoTag)', async () => {
    const d = await delta((c) => secyCounter(c, 'inPktsNoTag'), () => {
      attack('strip', '--from', 'router');
      expect(ping(2).status).not.toBe(0);
    });
    const stop = s.json<{ stopped: Array<{ touched: number }> }>('attack', 'mallory', 'stop');
    expect(d).toBeGreaterThanOrEqual(2);
    expect(d).toBeLessThanOrEqual(stop.stopped[0]!.touched);
    expect(ping(2).status).toBe(0);
  }, 60_000);

  it('forge-mkpdu: a wrong ICV, an unknown CKN and an old MN are each counted by the KaY, and the session stays up', async () => {
    const mka = (name: string) => (c: Counters) => Number(c.ports[0]!.mka[name] ?? 0);
    expect(await delta(mka('inMkpduIcvVerificationErrors'), () => expect(attack('forge-mkpdu', '--kind', 'wrong-icv', '--from', 'router').touched).toBe(1))).toBe(1);
    expect(await delta(mka('unrecognizedCkn'), () => expect(attack('forge-mkpdu', '--kind', 'unknown-ckn', '--from', 'router').touched).toBe(1))).toBe(1);
    expect(await delta(mka('inMkpduBadPeerErrors'), () => expect(attack('forge-mkpdu', '--kind', 'old-mn', '--from', 'router').touched).toBe(1))).toBe(1);
    const st = s.status();
    expect([s.port(st, 'router')?.secured, s.port(st, 'dx')?.secured]).toEqual([true, true]);
  }, 60_000);

  it('delay: every MACsec frame held back, both ways, for at least the delay', () => {
    attack('delay', '--ms', '200');
    const r = ping(2, ['-W', '3']);
    s.json('attack', 'mallory', 'stop');
    expect(r.status).toBe(0);
    const rtts = [...r.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
    expect(rtts.length).toBe(2);
    for (const t of rtts) expect(t).toBeGreaterThanOrEqual(400);
  }, 60_000);

  it('reorder: a frame held behind its successor arrives below the replay window of 0, InPktsLate', async () => {
    let touched = 0;
    const d = await delta(late, () => {
      attack('reorder', '--percent', '50', '--from', 'router');
      s.exec('router', 'ping', '-c', '40', '-i', '0.01', '-W', '1', '169.254.100.2');
      touched = s.json<{ stopped: Array<{ touched: number }> }>('attack', 'mallory', 'stop').stopped[0]!.touched;
    });
    expect(touched).toBeGreaterThan(0);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(touched);
  }, 60_000);

  it('drop: at 100 % nothing gets through; stop and the link carries again', async () => {
    attack('drop', '--percent', '100', '--from', 'router');
    // The ping lasts 2.2 s, past the fast profile's Life Time (1.5 s): the router's MKPDUs are dropped
    // too, so dx times the router out (802.1X-2020 9.4.3) and the pair must re-secure after the stop.
    expect(ping(2).status).not.toBe(0);
    expect(s.json<{ stopped: Array<{ touched: number }> }>('attack', 'mallory', 'stop').stopped[0]!.touched).toBeGreaterThanOrEqual(2);
    // Re-securing takes a hello or two and a new SAK; the link carries again once it has.
    await s.waitFor('the link carries again', () => ping(1, ['-W', '1']), (r) => r.status === 0, 20_000);
  }, 60_000);

  it('delay beyond what delay protection allows: the late frames are dropped, InPktsLate', async () => {
    // 802.1X-2020 9.10.1: with delay protection each MKPDU reports a lowest acceptable PN, so a frame held
    // back while later ones were reported arrives below it. MKPDUs are not delayed by the attacker.
    // (Without delayProtect the same run counts no late frame: the delay keeps the frames in order.)
    for (const n of ['router', 'dx']) expect(s.dxlab('set', n, 'eth1', 'delayProtect', 'true').status).toBe(0);
    await bothSecured();
    const d = await delta(late, async () => {
      attack('delay', '--ms', '3000', '--from', 'router');
      s.exec('router', 'ping', '-c', '15', '-i', '0.2', '-W', '1', '169.254.100.2');
      s.json('attack', 'mallory', 'stop');
      // The frames still held leave at their due time; wait until they have.
      await new Promise((r) => setTimeout(r, 4000));
    });
    expect(d).toBeGreaterThan(0);
    for (const n of ['router', 'dx']) expect(s.dxlab('set', n, 'eth1', 'delayProtect', 'false').status).toBe(0);
    await bothSecured();
  }, 120_000);

  it('integrity only: a flipped bit is InPktsNotValid under Strict, InPktsInvalid and delivered under Check; a stripped frame is delivered under Check', async () => {
    // The key server (dx, priority 16) distributes SAKs without confidentiality (802.1X-2020 9.7: offset "not used").
    expect(s.dxlab('set', 'dx', 'eth1', 'confidentialityOffset', 'none').status).toBe(0);
    await bothSecured();
    attack('snoop', '--reset');
    expect(ping(2).status).toBe(0);
    expect(attack('snoop').counts!.macsecIntegrityOnly).toBeGreaterThan(0);
    const strict = await delta(notValid, () => {
      attack('bitflip', '--where', 'payload', '--from', 'router');
      expect(ping(1).status).not.toBe(0);
      s.json('attack', 'mallory', 'stop');
    });
    expect(strict).toBeGreaterThan(0);
    expect(s.dxlab('set', 'dx', 'eth1', 'validateFrames', 'check').status).toBe(0);
    const invalid = await delta((c) => rxScSum(c, 'inPktsInvalid'), () => {
      attack('bitflip', '--where', 'payload', '--from', 'router');
      // Delivered with its flipped bit: the ICMP checksum fails in the kernel, so no reply.
      ping(1);
      s.json('attack', 'mallory', 'stop');
    });
    expect(invalid).toBeGreaterThan(0);
    // Strip under Check: an integrity-only frame without its SecTAG is the cleartext frame, delivered as
    // untagged (InPktsUntagged, 10.6.1): the ping gets through, unprotected. Strict is what stops it.
    const untagged = await delta((c) => secyCounter(c, 'inPktsUntagged'), () => {
      attack('strip', '--from', 'router');
      expect(ping(2).status).toBe(0);
      s.json('attack', 'mallory', 'stop');
    });
    expect(untagged).toBeGreaterThanOrEqual(2);
    expect(s.dxlab('set', 'dx', 'eth1', 'validateFrames', 'strict').status).toBe(0);
    expect(s.dxlab('set', 'dx', 'eth1', 'confidentialityOffset', '0').status).toBe(0);
    await bothSecured();
  }, 120_000);

  it('the downgrade: MKPDUs dropped, should_encrypt falls back to clear after MKA Life Time and the snoop reads the traffic', async () => {
    attack('drop', '--mkpdu');
    try {
      await s.waitFor('fallen back to clear', () => s.status(), (x) => s.port(x, 'router')?.secured === false && s.port(x, 'dx')?.secured === false);
      const events = s.json<Array<{ type: string; reason: string }>>('events', 'router');
      expect(events.some((e) => e.type === 'fallbackToClear')).toBe(true);
      attack('snoop', '--reset');
      expect(ping(3).status).toBe(0);
      const seen = attack('snoop');
      expect(seen.counts!.ipv4).toBeGreaterThan(0);
      expect(seen.readableData).toBeGreaterThan(0);
      expect(seen.frames!.some((f) => /IPv4 169\.254\.100\.1 > 169\.254\.100\.2 ICMP, readable/.test(f.line))).toBe(true);
    } finally {
      expect(s.json<{ stopped: Array<{ touched: number }> }>('attack', 'mallory', 'stop').stopped[0]!.touched).toBeGreaterThan(0);
    }
    await bothSecured();
  }, 120_000);

  it('the same with must_encrypt: the link goes down and the snoop sees nothing readable', async () => {
    for (const n of ['router', 'dx']) expect(s.dxlab('set', n, 'eth1', 'mode', 'must_encrypt').status).toBe(0);
    await bothSecured();
    attack('drop', '--mkpdu');
    try {
      await s.waitFor('blocked', () => s.status(), (x) => s.port(x, 'router')?.controlledPort === 'blocked' && s.port(x, 'dx')?.controlledPort === 'blocked');
      const events = s.json<Array<{ type: string }>>('events', 'router');
      expect(events.some((e) => e.type === 'portBlocked')).toBe(true);
      attack('snoop', '--reset');
      expect(ping(3).status).not.toBe(0);
      const seen = attack('snoop');
      expect(seen.readableData).toBe(0);
      expect(seen.counts!.mkpdu).toBeGreaterThan(0);
    } finally {
      s.json('attack', 'mallory', 'stop');
    }
    await bothSecured();
  }, 120_000);
});
