/**
 * The LACPDU codec and machines against a capture of real switches:
 * test/vectors/lacp/LACP.pcap, two Cisco systems (00:13:c4:12:0f:00 active,
 * 00:0e:83:16:f5:00 passive, both slow) forming a one-link aggregation, from
 * tcpdump's test suite (the-tcpdump-group/tcpdump tests/LACP.pcap, a
 * PacketLife.net capture, commit c661f8b2 "use more PacketLife captures for
 * test cases"), with tcpdump's own decoding of it (tests/lacp-ev.out, `-e -v`)
 * as the independent reading every field is checked against. README.md here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../../src/io/pcap.js';
import { Lag, decodeLacpdu, encodeLacpdu, stateFlags, type PortInformation } from '../../../src/lacp/index.js';
import { macToString } from '../../../src/shared/bytes.js';
import { hex } from '../../helpers/hex.js';

const DIR = fileURLToPath(new URL('./', import.meta.url));
const cap = readCaptureFile(`${DIR}LACP.pcap`);

/** tcpdump's flag names for our state bit names. */
const TCPDUMP_FLAG: Record<string, string> = {
  lacpActivity: 'Activity',
  lacpTimeout: 'Timeout',
  aggregation: 'Aggregation',
  synchronization: 'Synchronization',
  collecting: 'Collecting',
  distributing: 'Distributing',
  defaulted: 'Default',
  expired: 'Expired',
};

interface Expected {
  source: string;
  actor: string;
  actorFlags: string;
  partner: string;
  partnerFlags: string;
  maxDelay: number;
}

/** Per frame, what tcpdump printed. */
function tcpdumpReading(): Expected[] {
  const text = readFileSync(`${DIR}lacp-ev.out`, 'utf8');
  return text
    .split(/\n(?= +\d+ )/)
    .filter((b) => b.trim())
    .map((b) => {
      const systems = [...b.matchAll(/System (\S+), System Priority (\d+), Key (\d+), Port (\d+), Port Priority (\d+)/g)].map((m) => m.slice(1).join(' '));
      const flags = [...b.matchAll(/State Flags \[([^\]]*)\]/g)].map((m) => m[1]!);
      return {
        source: /(\S+) > 01:80:c2:00:00:02/.exec(b)![1]!,
        actor: systems[0]!,
        actorFlags: flags[0]!,
        partner: systems[1]!,
        partnerFlags: flags[1]!,
        maxDelay: Number(/Max Delay (\d+)/.exec(b)![1]),
      };
    });
}

const line = (i: PortInformation): string => `${macToString(i.system)} ${i.systemPriority} ${i.key} ${i.port} ${i.portPriority}`;
const flags = (state: number): string => stateFlags(state).map((f) => TCPDUMP_FLAG[f]).join(', ') || 'none';

describe('LACP.pcap (tcpdump test suite, two Cisco switches)', () => {
  const expected = tcpdumpReading();
  it('holds 20 LACPDUs of 124 octets, as tcpdump read them', () => {
    expect(cap.frames).toHaveLength(20);
    expect(expected).toHaveLength(20);
    for (const f of cap.frames) expect(f.data.length).toBe(124);
  });

  it('every field decodes to what tcpdump printed', () => {
    cap.frames.forEach((f, i) => {
      const pdu = decodeLacpdu(f.data);
      const e = expected[i]!;
      expect([i + 1, macToString(pdu.source)]).toEqual([i + 1, e.source]);
      expect(pdu.version).toBe(1);
      expect([i + 1, line(pdu.actor), flags(pdu.actor.state)]).toEqual([i + 1, e.actor, e.actorFlags]);
      expect([i + 1, line(pdu.partner), flags(pdu.partner.state)]).toEqual([i + 1, e.partner, e.partnerFlags]);
      expect(pdu.collectorMaxDelay).toBe(e.maxDelay);
    });
  });

  it('every frame re-encodes to the captured bytes, also when it sits at offsets 0..7 of a larger buffer', () => {
    for (const f of cap.frames) {
      for (let off = 0; off < 8; off++) {
        const buf = new Uint8Array(off + f.data.length + 3);
        buf.set(f.data, off);
        const pdu = decodeLacpdu(buf.subarray(off, off + f.data.length));
        expect(hex(encodeLacpdu(pdu))).toBe(hex(f.data));
      }
    }
  });

  it("our Lag in the passive switch's place, fed the active switch's LACPDUs, sends the passive switch's frame 19 byte for byte", () => {
    const passive = decodeLacpdu(cap.frames[18]!.data);
    const lag = new Lag({
      system: passive.actor.system,
      systemPriority: passive.actor.systemPriority,
      key: passive.actor.key,
      mode: 'passive',
      rate: 'slow',
      collectorMaxDelay: passive.collectorMaxDelay,
      ports: [{ name: 'gi0/25', mac: passive.source, portNumber: passive.actor.port, portPriority: passive.actor.portPriority }],
    });
    const sent: Uint8Array[] = [];
    const take = (o: { transmit: Array<{ frame: Uint8Array }> }): void => {
      for (const t of o.transmit) sent.push(t.frame);
    };
    take(lag.start(0));
    take(lag.setPortEnabled(0, 'gi0/25', true));
    // Passive, and the partner not yet heard: nothing sent (802.1AX-2014 6.4.13).
    expect(sent).toEqual([]);
    // Frames 16 and 17: the active switch attached, then collecting and distributing.
    take(lag.receive(100, 'gi0/25', cap.frames[15]!.data));
    take(lag.receive(125, 'gi0/25', cap.frames[16]!.data));
    expect(lag.status().ports[0]!.receive).toBe('CURRENT');
    let o = lag.tick(125);
    take(o);
    while (o.nextDeadline <= 40_000) {
      o = lag.tick(o.nextDeadline);
      take(o);
    }
    expect(lag.distributing()).toEqual(['gi0/25']);
    // The periodic LACPDU of the formed link (SLOW_PERIODIC: the partner asked for long timeouts).
    expect(hex(sent.at(-1)!)).toBe(hex(cap.frames[18]!.data));
  });
});
