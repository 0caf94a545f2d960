/**
 * Capture files: classic libpcap (microsecond and nanosecond variants, either
 * byte order) and pcapng (Section Header, Interface Description, Enhanced,
 * Simple and obsolete Packet blocks; other blocks skipped by length).
 *
 * Sources: the libpcap file format (pcap-savefile(5); IETF draft
 * draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng §4, §4.1-4.4:
 * block layouts, if_name = 2, if_tsresol = 9, opt_comment = 1).
 *
 * Why not the pcap-parser package the design first named: version 0.2.1 reads
 * only microsecond pcap, copies its whole buffer on every chunk and calls the
 * deprecated `new Buffer()` (Node prints DEP0005 on stderr), and it cannot
 * read pcapng, which the live captures use. Parsing whole files here is short
 * and synchronous, and every length is checked before use.
 *
 * @example
 * const cap = parseCapture(readFileSync('wire.pcap'));
 * for (const f of cap.frames) console.log(f.timeNs, f.data.length);
 * writeFileSync('out.pcap', serializePcap(cap.frames, { linkType: LINKTYPE_ETHERNET }));
 */
import { readFileSync } from 'node:fs';
import { IoError } from './errors.js';
import { plainView } from '../shared/bytes.js';

/** LINKTYPE_ETHERNET (tcpdump.org link-layer header types). */
export const LINKTYPE_ETHERNET = 1;

export interface CapturedFrame {
  /** Nanoseconds since the Unix epoch. */
  timeNs: bigint;
  /** The captured octets (Ethernet header first for LINKTYPE_ETHERNET). */
  data: Uint8Array;
  /** Length on the wire; larger than data.length when the capture was truncated. */
  origLength: number;
  /** Index into {@link Capture.interfaces}. */
  interfaceId: number;
  comment?: string;
}

export interface CaptureInterface {
  linkType: number;
  name?: string;
  description?: string;
}

export interface Capture {
  format: 'pcap' | 'pcapng';
  interfaces: CaptureInterface[];
  frames: CapturedFrame[];
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const OPT_END = 0;
const OPT_COMMENT = 1;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
const OPT_SHB_USERAPPL = 4;

function truncated(what: string, offset: number): IoError {
  return new IoError('captureTruncated', `capture truncated: ${what} at offset ${offset} runs past the end of the file`);
}

/**
 * Parses a whole capture file.
 * @throws IoError('captureFormat') when the magic number is unknown or a block is inconsistent,
 *   IoError('captureTruncated') when a record runs past the end.
 */
export function parseCapture(input: Uint8Array): Capture {
  // Frames are copied out with slice(): on a plain Uint8Array, not a Buffer's alias.
  const bytes = plainView(input);
  if (bytes.length < 4) throw new IoError('captureFormat', `not a capture file: ${bytes.length} octets`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, false) === PCAPNG_SHB) return parsePcapng(bytes, dv);
  return parsePcap(bytes, dv);
}

function parsePcap(bytes: Uint8Array, dv: DataView): Capture {
  const be = dv.getUint32(0, false);
  const le = dv.getUint32(0, true);
  let little: boolean;
  let nanos: boolean;
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
    little = false;
    nanos = be === PCAP_MAGIC_NS;
  } else if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
    little = true;
    nanos = le === PCAP_MAGIC_NS;
  } else {
    throw new IoError('captureFormat', `not a pcap or pcapng file: magic number ${be.toString(16).padStart(8, '0')}`);
  }
  if (bytes.length < 24) throw truncated('pcap file header', 0);
  const major = dv.getUint16(4, little);
  if (major !== 2) throw new IoError('captureFormat', `unsupported pcap version ${major}.${dv.getUint16(6, little)}`);
  // Since the 2.4 format, the high bits of the link-type field may carry FCS information.
  const linkType = dv.getUint32(20, little) & 0x0fffffff;
  const frames: CapturedFrame[] = [];
  let o = 24;
  while (o < bytes.length) {
    if (o + 16 > bytes.length) throw truncated('record header', o);
    const sec = dv.getUint32(o, little);
    const frac = dv.getUint32(o + 4, little);
    const capLen = dv.getUint32(o + 8, little);
    const origLen = dv.getUint32(o + 12, little);
    if (o + 16 + capLen > bytes.length) throw truncated(`record of ${capLen} octets`, o);
    frames.push({
      timeNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * (nanos ? 1n : 1000n),
      data: bytes.slice(o + 16, o + 16 + capLen),
      origLength: origLen,
      interfaceId: 0,
    });
    o += 16 + capLen;
  }
  return { format: 'pcap', interfaces: [{ linkType }], frames };
}

interface NgInterface extends CaptureInterface {
  /** Units per second of this interface's timestamps. */
  unitsPerSecond: bigint;
}

function parsePcapng(bytes: Uint8Array, dv: DataView): Capture {
  const interfaces: NgInterface[] = [];
  const frames: CapturedFrame[] = [];
  let little = true;
  let o = 0;
  while (o < bytes.length) {
    if (o + 12 > bytes.length) throw truncated('block header', o);
    const rawType = dv.getUint32(o, little);
    if (dv.getUint32(o, false) === PCAPNG_SHB) {
      // A new section: byte order and interface numbering start over.
      if (o + 12 > bytes.length) throw truncated('section header', o);
      const bom = dv.getUint32(o + 8, true);
      if (bom === PCAPNG_BOM) little = true;
      else if (dv.getUint32(o + 8, false) === PCAPNG_BOM) little = false;
      else throw new IoError('captureFormat', `pcapng section header at ${o}: bad byte-order magic`);
      interfaces.length = 0;
    }
    const type = dv.getUint32(o, false) === PCAPNG_SHB ? PCAPNG_SHB : rawType;
    const len = dv.getUint32(o + 4, little);
    if (len < 12 || len % 4 !== 0) throw new IoError('captureFormat', `pcapng block at ${o}: bad length ${len}`);
    if (o + len > bytes.length) throw truncated(`pcapng block of ${len} octets`, o);
    if (dv.getUint32(o + len - 4, little) !== len) {
      throw new IoError('captureFormat', `pcapng block at ${o}: trailing length differs from ${len}`);
    }
    const body = o + 8;
    const end = o + len - 4;
    if (type === BLOCK_IDB) {
      if (body + 8 > end) throw new IoError('captureFormat', `pcapng interface block at ${o}: too short`);
      const iface: NgInterface = { linkType: dv.getUint16(body, little), unitsPerSecond: 1_000_000n };
      for (const opt of options(bytes, dv, body + 8, end, little)) {
        if (opt.code === OPT_IF_NAME) iface.name = utf8(opt.value);
        else if (opt.code === OPT_IF_DESCRIPTION) iface.description = utf8(opt.value);
        else if (opt.code === OPT_IF_TSRESOL && opt.value.length >= 1) {
          const r = opt.value[0]!;
          iface.unitsPerSecond = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r & 0x7f);
        }
      }
      interfaces.push(iface);
    } else if (type === BLOCK_EPB || type === BLOCK_PB) {
      if (body + 20 > end) throw new IoError('captureFormat', `pcapng packet block at ${o}: too short`);
      const ifId = type === BLOCK_EPB ? dv.getUint32(body, little) : dv.getUint16(body, little);
      const iface = interfaces[ifId];
      if (!iface) throw new IoError('captureFormat', `pcapng packet block at ${o}: unknown interface ${ifId}`);
      const ts = (BigInt(dv.getUint32(body + 4, little)) << 32n) | BigInt(dv.getUint32(body + 8, little));
      const capLen = dv.getUint32(body + 12, little);
      const origLen = dv.getUint32(body + 16, little);
      const dataStart = body + 20;
      const dataEnd = dataStart + capLen;
      if (dataEnd > end) throw new IoError('captureFormat', `pcapng packet block at ${o}: ${capLen} octets do not fit`);
      const frame: CapturedFrame = {
        timeNs: (ts * 1_000_000_000n) / iface.unitsPerSecond,
        data: bytes.slice(dataStart, dataEnd),
        origLength: origLen,
        interfaceId: ifId,
      };
      for (const opt of options(bytes, dv, dataStart + pad4(capLen), end, little)) {
        if (opt.code === OPT_COMMENT) frame.comment = utf8(opt.value);
      }
      frames.push(frame);
    } else if (type === BLOCK_SPB) {
      if (body + 4 > end) throw new IoError('captureFormat', `pcapng simple packet block at ${o}: too short`);
      const origLen = dv.getUint32(body, little);
      const capLen = Math.min(origLen, end - body - 4);
      frames.push({ timeNs: 0n, data: bytes.slice(body + 4, body + 4 + capLen), origLength: origLen, interfaceId: 0 });
    }
    o += len;
  }
  return {
    format: 'pcapng',
    interfaces: interfaces.map(({ unitsPerSecond: _u, ...i }) => i),
    frames,
  };
}

function* options(bytes: Uint8Array, dv: DataView, start: number, end: number, little: boolean) {
  let p = start;
  while (p + 4 <= end) {
    const code = dv.getUint16(p, little);
    const len = dv.getUint16(p + 2, little);
    if (code === OPT_END) return;
    if (p + 4 + len > end) return; // a broken option list ends the options, not the file
    yield { code, value: bytes.subarray(p + 4, p + 4 + len) };
    p += 4 + pad4(len);
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
function utf8(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Reads and parses a capture file. @throws IoError('file') naming the path when it cannot be read. */
export function readCaptureFile(path: string): Capture {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new IoError('file', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  try {
    return parseCapture(bytes);
  } catch (e) {
    if (e instanceof IoError) throw new IoError(e.code, `${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Writes classic pcap, little-endian, with nanosecond timestamps so that no
 * precision of a pcapng input is lost.
 * @default options.snapLength 262144
 */
export function serializePcap(frames: Iterable<CapturedFrame>, options: { linkType: number; snapLength?: number }): Uint8Array {
  const list = [...frames];
  let size = 24;
  for (const f of list) size += 16 + f.data.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, PCAP_MAGIC_NS, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, options.snapLength ?? 262144, true);
  dv.setUint32(20, options.linkType, true);
  let o = 24;
  for (const f of list) {
    dv.setUint32(o, Number(f.timeNs / 1_000_000_000n), true);
    dv.setUint32(o + 4, Number(f.timeNs % 1_000_000_000n), true);
    dv.setUint32(o + 8, f.data.length, true);
    dv.setUint32(o + 12, Math.max(f.origLength, f.data.length), true);
    out.set(f.data, o + 16);
    o += 16 + f.data.length;
  }
  return out;
}

/**
 * Streams pcapng: one Section Header Block, then Interface Description Blocks
 * as interfaces are added and Enhanced Packet Blocks with nanosecond
 * timestamps (if_tsresol = 9). `sink` receives whole blocks, so a reader of a
 * file still being written sees only complete blocks.
 *
 * Every option is at most 65,535 octets: its length is a 16-bit field
 * (pcapng §3.5, Options), so a longer value is refused, not wrapped.
 */
export class PcapngWriter {
  private nextInterface = 0;

  /** @throws IoError('invalidArgument') when `application` is longer than an option can be. */
  constructor(
    private readonly sink: (block: Uint8Array) => void,
    options: { application?: string } = {},
  ) {
    const opts: PcapngOption[] = [];
    if (options.application) opts.push([OPT_SHB_USERAPPL, encoder.encode(options.application), 'shb_userappl']);
    const fixed = new Uint8Array(16);
    const dv = new DataView(fixed.buffer);
    dv.setUint32(0, PCAPNG_BOM, true);
    dv.setUint16(4, 1, true);
    dv.setUint16(6, 0, true);
    dv.setBigInt64(8, -1n, true); // section length not known
    this.sink(block(PCAPNG_SHB, fixed, opts));
  }

  /**
   * Declares an interface; returns its id for {@link writeFrame}.
   * @throws IoError('invalidArgument') when the name or description is longer than an option can be.
   */
  addInterface(name: string | undefined, linkType = LINKTYPE_ETHERNET, description?: string): number {
    const fixed = new Uint8Array(8);
    const dv = new DataView(fixed.buffer);
    dv.setUint16(0, linkType, true);
    dv.setUint32(4, 262144, true);
    const opts: PcapngOption[] = [];
    if (name !== undefined) opts.push([OPT_IF_NAME, encoder.encode(name), 'if_name']);
    if (description) opts.push([OPT_IF_DESCRIPTION, encoder.encode(description), 'if_description']);
    opts.push([OPT_IF_TSRESOL, new Uint8Array([9]), 'if_tsresol']);
    this.sink(block(BLOCK_IDB, fixed, opts));
    return this.nextInterface++;
  }

  /**
   * One Enhanced Packet Block.
   * @param origLength the length on the wire. @default data.length
   * @throws IoError('invalidArgument') when the comment is longer than an option can be.
   */
  writeFrame(interfaceId: number, timeNs: bigint, data: Uint8Array, comment?: string, origLength = data.length): void {
    const fixed = new Uint8Array(20 + pad4(data.length));
    const dv = new DataView(fixed.buffer);
    dv.setUint32(0, interfaceId, true);
    dv.setUint32(4, Number(timeNs >> 32n), true);
    dv.setUint32(8, Number(timeNs & 0xffffffffn), true);
    dv.setUint32(12, data.length, true);
    dv.setUint32(16, Math.max(origLength, data.length), true);
    fixed.set(data, 20);
    this.sink(block(BLOCK_EPB, fixed, comment ? [[OPT_COMMENT, encoder.encode(comment), 'opt_comment']] : []));
  }
}

/**
 * Writes a whole capture as pcapng: its interfaces (link type, name,
 * description), then its frames with their interface, comment and original length.
 * @throws IoError('invalidArgument') when a frame names an interface the capture lacks, or an option is too long.
 */
export function serializePcapng(cap: Pick<Capture, 'interfaces' | 'frames'>, options: { application?: string } = {}): Uint8Array {
  const blocks: Uint8Array[] = [];
  const w = new PcapngWriter((b) => blocks.push(b), { application: options.application ?? 'dxlab' });
  const interfaces = cap.interfaces.length ? cap.interfaces : [{ linkType: LINKTYPE_ETHERNET }];
  for (const i of interfaces) w.addInterface(i.name, i.linkType, i.description);
  for (const f of cap.frames) {
    if (f.interfaceId >= interfaces.length) throw new IoError('invalidArgument', `frame for interface ${f.interfaceId}, but the capture has ${interfaces.length}`);
    w.writeFrame(f.interfaceId, f.timeNs, f.data, f.comment, f.origLength);
  }
  return Buffer.concat(blocks);
}

/** An option of a pcapng block: code, value, and its name in the pcapng text for errors. */
type PcapngOption = [code: number, value: Uint8Array, name: string];

/** An option's length is a 16-bit field (pcapng §3.5). */
const MAX_OPTION_LENGTH = 0xffff;

function block(type: number, fixed: Uint8Array, opts: PcapngOption[]): Uint8Array {
  let optLen = 0;
  for (const [, v, name] of opts) {
    if (v.length > MAX_OPTION_LENGTH) throw new IoError('invalidArgument', `pcapng option ${name}: ${v.length} octets, more than the ${MAX_OPTION_LENGTH} its 16-bit length field can say`);
    optLen += 4 + pad4(v.length);
  }
  if (opts.length) optLen += 4;
  const len = 12 + fixed.length + optLen;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, len, true);
  out.set(fixed, 8);
  let p = 8 + fixed.length;
  for (const [code, v] of opts) {
    dv.setUint16(p, code, true);
    dv.setUint16(p + 2, v.length, true);
    out.set(v, p + 4);
    p += 4 + pad4(v.length);
  }
  if (opts.length) p += 4; // opt_endofopt
  dv.setUint32(p, len, true);
  return out;
}
