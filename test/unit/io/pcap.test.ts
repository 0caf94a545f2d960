/**
 * The pcapng writer: an option's length is a 16-bit field (pcapng §3.5), so a
 * longer value is refused with the option's name instead of being wrapped
 * into a block that no reader can parse; a whole capture written as pcapng
 * reads back with its interfaces, comments and original lengths.
 */
import { describe, expect, it } from 'vitest';
import { IoError } from '../../../src/io/errors.js';
import { LINKTYPE_ETHERNET, PcapngWriter, parseCapture, serializePcapng, type CapturedFrame } from '../../../src/io/pcap.js';

function writer(): { w: PcapngWriter; blocks: Uint8Array[]; bytes: () => Uint8Array } {
  const blocks: Uint8Array[] = [];
  const w = new PcapngWriter((b) => blocks.push(b), { application: 'test' });
  return { w, blocks, bytes: () => Buffer.concat(blocks) };
}

function refusal(f: () => unknown): IoError {
  try {
    f();
  } catch (e) {
    return e as IoError;
  }
  throw new Error('not refused');
}

describe('pcapng option lengths', () => {
  it('65,535 octets is the longest option and reads back whole', () => {
    const { w, bytes } = writer();
    const desc = 'd'.repeat(0xffff);
    w.addInterface('eth1', LINKTYPE_ETHERNET, desc);
    w.writeFrame(0, 1_000_000_123n, new Uint8Array(60), 'c'.repeat(0xffff));
    const cap = parseCapture(bytes());
    expect(cap.interfaces[0]!.description).toBe(desc);
    expect(cap.frames[0]!.comment).toHaveLength(0xffff);
  });

  it('an interface description of 65,536 octets is refused, naming if_description; nothing is written', () => {
    const { w, blocks } = writer();
    const before = blocks.length;
    const e = refusal(() => w.addInterface('eth1', LINKTYPE_ETHERNET, 'd'.repeat(0x10000)));
    expect(e).toBeInstanceOf(IoError);
    expect(e.code).toBe('invalidArgument');
    expect(e.message).toMatch(/option if_description: 65536 octets, more than the 65535/);
    expect(blocks.length).toBe(before);
  });

  it('a frame comment, an interface name and the application are checked too (UTF-8 octets, not characters)', () => {
    const { w, blocks } = writer();
    w.addInterface('eth1');
    const before = blocks.length;
    // 'é' is two octets in UTF-8: 40,000 characters are 80,000 octets.
    expect(refusal(() => w.writeFrame(0, 0n, new Uint8Array(60), 'é'.repeat(40_000))).message).toMatch(/option opt_comment: 80000 octets/);
    expect(refusal(() => w.addInterface('n'.repeat(70_000))).message).toMatch(/option if_name: 70000 octets/);
    expect(blocks.length).toBe(before);
    expect(refusal(() => new PcapngWriter(() => undefined, { application: 'a'.repeat(65_536) })).message).toMatch(/option shb_userappl: 65536 octets/);
  });
});

describe('serializePcapng', () => {
  it('keeps interfaces, frame order, interface ids, comments and original lengths', () => {
    const frames: CapturedFrame[] = [
      { timeNs: 1_700_000_000_123_456_789n, data: new Uint8Array(64).fill(1), origLength: 64, interfaceId: 0 },
      { timeNs: 1_700_000_000_223_456_789n, data: new Uint8Array(61).fill(2), origLength: 1514, interfaceId: 1, comment: 'truncated' },
    ];
    const cap = parseCapture(serializePcapng({ interfaces: [{ linkType: 1, name: 'a' }, { linkType: 1, name: 'b', description: 'the other' }], frames }));
    expect(cap.format).toBe('pcapng');
    expect(cap.interfaces.map((i) => [i.name, i.description])).toEqual([
      ['a', undefined],
      ['b', 'the other'],
    ]);
    expect(cap.frames.map((f) => [f.timeNs, f.data.length, f.origLength, f.interfaceId, f.comment])).toEqual([
      [frames[0]!.timeNs, 64, 64, 0, undefined],
      [frames[1]!.timeNs, 61, 1514, 1, 'truncated'],
    ]);
  });

  it('a frame on an interface the capture does not have is refused', () => {
    const e = refusal(() => serializePcapng({ interfaces: [{ linkType: 1 }], frames: [{ timeNs: 0n, data: new Uint8Array(60), origLength: 60, interfaceId: 3 }] }));
    expect(e).toBeInstanceOf(IoError);
    expect(e.message).toMatch(/interface 3, but the capture has 1/);
  });
});
