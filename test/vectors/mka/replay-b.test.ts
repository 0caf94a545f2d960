/**
 * Our KaY in participant b's place of ../shared/captures/mka-cak256.pcap:
 * test hooks give it b's SCI, MI and starting MN (and b's hello phase: b's
 * first MKPDU left 1205 ms after a's first, then every 2 s); a's MKPDUs are
 * fed with the capture's timing. Each MKPDU it sends must match b's recorded
 * one field by field: sender, flags, peer lists (MIs), SAK Use key in use with
 * its AN and tx/rx bits, a valid ICV. Legitimate differences: MKA version (we
 * send 3, wpa_supplicant 1), the MNs echoed in the peer lists, and
 * wpa_supplicant's habit of reporting the settled key in the old slot of SAK
 * Use (docs/mka-decisions.md §5), normalised here by taking "latest if present, else old"
 * on both sides. It must also install the SAK that a distributed.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { capturePath } from '../../helpers/captures.js';
import { readCaptureFile } from '../../../src/io/pcap.js';
import { fromHex, toHex } from '../../../src/shared/bytes.js';
import { sciFromHex } from '../../../src/macsec/sci.js';
import { GCM_AES_128, GCM_AES_XPN_256 } from '../../../src/macsec/cipher-suite.js';
import { KaY, decodeMkpdu, deriveIck, verifyMkpduIcv, type Mkpdu, type SakUse, type SecYCommand } from '../../../src/mka/index.js';
import { seededOctets } from '../../helpers/random.js';

const keys = JSON.parse(readFileSync(capturePath('keys.json'), 'utf8'));
const cap = keys.captures.find((c: { file: string }) => c.file === 'mka-cak256.pcap');
const frames = readCaptureFile(capturePath('mka-cak256.pcap')).frames.filter((f) => f.data[12] === 0x88 && f.data[13] === 0x8e);
const t0 = frames[0]!.timeNs;
const at = (ns: bigint) => Number(ns - t0) / 1e6;
const fromA = frames.filter((f) => f.data[11] === 0x02).map((f) => ({ at: at(f.timeNs), data: f.data }));
const fromB = frames.filter((f) => f.data[11] === 0x03).map((f) => ({ at: at(f.timeNs), m: decodeMkpdu(f.data) }));

function inUse(su: SakUse | undefined) {
  if (!su?.keys) return undefined;
  const latestEmpty = su.keys.latestKey.kn === 0 && su.keys.latestKey.mi.every((x) => x === 0);
  return latestEmpty
    ? { mi: toHex(su.keys.oldKey.mi), kn: su.keys.oldKey.kn, an: su.oldKeyAn, tx: su.oldKeyTx, rx: su.oldKeyRx }
    : { mi: toHex(su.keys.latestKey.mi), kn: su.keys.latestKey.kn, an: su.latestKeyAn, tx: su.latestKeyTx, rx: su.latestKeyRx };
}

function fields(m: Mkpdu) {
  const list = (t: 1 | 2) => m.parameterSets.flatMap((s) => (s.type === t && 'peers' in s ? s.peers.map((p) => toHex(p.mi)) : []));
  const su = m.parameterSets.find((s): s is SakUse => s.type === 3);
  return {
    sci: m.basic.sci,
    mi: toHex(m.basic.mi),
    priority: m.basic.keyServerPriority,
    keyServer: m.basic.keyServer,
    macsecDesired: m.basic.macsecDesired,
    macsecCapability: m.basic.macsecCapability,
    ckn: toHex(m.basic.ckn),
    live: list(1),
    potential: list(2),
    sakUse: inUse(su),
    distributedSak: m.parameterSets.some((s) => s.type === 4),
  };
}

describe('our KaY replaying participant b of mka-cak256.pcap', () => {
  it("answers a's MKPDUs as b did and installs a's SAK", () => {
    const b = cap.peers[1];
    const kay = new KaY(
      {
        sci: sciFromHex(b.sci),
        keyChain: [{ ckn: fromHex(cap.ckn), cak: fromHex(cap.cak) }],
        keyServerPriority: b.mka_priority,
        cipherSuites: [GCM_AES_XPN_256, GCM_AES_128],
        announceCipherSuites: false,
        testHooks: { mi: fromHex(b.mi[0]), startMn: 1, firstHelloDelayMs: 2000 },
      },
      { random: seededOctets(7) },
    );
    const sent: Array<{ at: number; frame: Uint8Array }> = [];
    const commands: SecYCommand[] = [];
    const startAt = fromB[0]!.at - 2000;
    let out = kay.start(startAt);
    const collect = (now: number) => {
      for (const f of out.mkpdus) sent.push({ at: now, frame: f });
      commands.push(...out.commands);
    };
    collect(startAt);
    const end = fromB[fromB.length - 1]!.at + 100;
    let next = 0;
    let now = startAt;
    while (now < end) {
      const nextFrame = fromA[next];
      const t = Math.min(out.nextDeadline, nextFrame ? nextFrame.at : Infinity);
      if (t > end) break;
      now = t;
      if (nextFrame && nextFrame.at <= now) {
        out = kay.receive(now, nextFrame.data);
        next++;
      } else {
        out = kay.tick(now);
      }
      collect(now);
    }
    expect(next).toBe(fromA.length);
    const ick = deriveIck(fromHex(cap.cak), fromHex(cap.ckn));
    for (const s of sent) expect(verifyMkpduIcv(s.frame, ick)).toBe(true);
    expect(sent.length).toBe(fromB.length);
    for (const [i, rec] of fromB.entries()) {
      const ours = sent[i]!;
      expect(Math.abs(ours.at - rec.at), `MKPDU ${i + 1} time`).toBeLessThan(50);
      expect(fields(decodeMkpdu(ours.frame)), `b's MKPDU MN ${rec.m.basic.mn}`).toEqual(fields(rec.m));
      expect(decodeMkpdu(ours.frame).basic.mn).toBe(rec.m.basic.mn);
    }
    expect(kay.counters.inMkpduIcvVerificationErrors + kay.counters.inMkpduValidationErrors + kay.counters.inMkpduBadPeerErrors).toBe(0);
    const rx = commands.find((c) => c.op === 'createRxSa');
    const tx = commands.find((c) => c.op === 'createTxSa');
    if (rx?.op !== 'createRxSa' || tx?.op !== 'createTxSa') throw new Error('no SA installed');
    expect(toHex(rx.sak.expose())).toBe(cap.saks_unwrapped_by_b[0]);
    expect(toHex(tx.sak.expose())).toBe(cap.saks_unwrapped_by_b[0]);
    expect(rx).toMatchObject({ sci: sciFromHex(cap.peers[0].sci), an: 0, lowestPn: 1n });
    expect(commands.find((c) => c.op === 'configure')).toMatchObject({ cipherSuite: GCM_AES_128 });
    const s = kay.status();
    expect(s.secured).toBe(true);
    expect(s.sak).toMatchObject({ kn: 1, an: 0, cipherSuite: 'GCM-AES-128', keyServerMi: cap.peers[0].mi[0] });
    expect(s.participants[0]!.keyServer).toMatchObject({ self: false, mi: cap.peers[0].mi[0] });
  });
});
