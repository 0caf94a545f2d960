/**
 * LACPDU codec (IEEE 802.1AX-2014 6.4.2.3, figure 6-7; unchanged in
 * 802.1AX-2020 6.4.2.3): the Slow Protocols frame of subtype 1 carrying the
 * Actor and Partner Information TLVs, the Collector Information TLV and the
 * Terminator, padded with Reserved octets to 110 octets after the EtherType.
 *
 * Layout after the EtherType (offsets from the subtype):
 *
 * ```
 *  0 subtype 1          1 version 1
 *  2 TLV 1, length 20: system priority(2) system(6) key(2) port priority(2) port(2) state(1) reserved(3)
 * 22 TLV 2, length 20: the same for the partner
 * 42 TLV 3, length 16: CollectorMaxDelay(2) reserved(12)
 * 58 TLV 0, length 0   60 reserved(50)            = 110
 * ```
 *
 * Receive rules (docs/lacp-decisions.md §2): the first three TLVs must have
 * exactly their types and lengths (a version 1 receiver has no other way to
 * find the fields); Reserved octets are ignored on receipt (6.4.2.3 "ignored
 * on receipt"); a Version Number above 1 is read as version 1, since a later
 * version only adds TLVs after the Collector TLV (6.4.2.4) which are skipped
 * by their length up to the Terminator.
 */
import { ByteReader, ByteWriter, bytesEqual, plainView } from '../shared/bytes.js';
import {
  COLLECTOR_INFORMATION_LENGTH,
  ETHERTYPE_SLOW_PROTOCOLS,
  ETH_HEADER_LEN,
  INFORMATION_LENGTH,
  LACP_TLV,
  LACP_VERSION,
  SLOW_PDU_LENGTH,
  SLOW_PROTOCOLS_MULTICAST,
  SUBTYPE,
} from './constants.js';
import { LacpError, readFail } from './errors.js';

/** The parameters one end tells about a port: an Actor or Partner Information TLV (802.1AX-2014 6.4.2.3 e-m). */
export interface PortInformation {
  systemPriority: number;
  /** System ID, a MAC address (6 octets). */
  system: Uint8Array;
  key: number;
  portPriority: number;
  port: number;
  /** The state octet (see {@link STATE}). */
  state: number;
}

/** A decoded LACPDU. */
export interface Lacpdu {
  /** Destination address of the frame (normally Slow_Protocols_Multicast). */
  destination: Uint8Array;
  /** Source address: the sending port's own MAC (802.1AX-2014 6.2.11.2). */
  source: Uint8Array;
  version: number;
  actor: PortInformation;
  partner: PortInformation;
  /** CollectorMaxDelay in tens of microseconds (802.1AX-2014 6.4.2.3 x). */
  collectorMaxDelay: number;
}

/** What {@link encodeLacpdu} needs: destination defaults to Slow_Protocols_Multicast, version to 1. */
export type LacpduInput = Omit<Lacpdu, 'destination' | 'version'> & { destination?: Uint8Array; version?: number };

function checkU16(v: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new LacpError('invalidField', `${field}: ${v} is not an integer in 0..65535`);
}

function checkMac(b: Uint8Array, field: string): void {
  if (b.length !== 6) throw new LacpError('invalidField', `${field}: ${b.length} octets, a MAC address has 6`);
}

function writeInfo(w: ByteWriter, type: number, info: PortInformation, who: string): void {
  checkU16(info.systemPriority, `${who}.systemPriority`);
  checkMac(info.system, `${who}.system`);
  checkU16(info.key, `${who}.key`);
  checkU16(info.portPriority, `${who}.portPriority`);
  checkU16(info.port, `${who}.port`);
  if (!Number.isInteger(info.state) || info.state < 0 || info.state > 0xff) throw new LacpError('invalidField', `${who}.state: ${info.state} is not an octet`);
  w.u8(type).u8(INFORMATION_LENGTH).u16(info.systemPriority).bytes(info.system).u16(info.key).u16(info.portPriority).u16(info.port).u8(info.state).zeros(3);
}

/**
 * The whole Ethernet frame (124 octets, no FCS) of an LACPDU.
 * @throws LacpError('invalidField') naming the field out of range.
 */
export function encodeLacpdu(pdu: LacpduInput): Uint8Array {
  const destination = pdu.destination ?? Uint8Array.from(SLOW_PROTOCOLS_MULTICAST);
  checkMac(destination, 'destination');
  checkMac(pdu.source, 'source');
  checkU16(pdu.collectorMaxDelay, 'collectorMaxDelay');
  const w = new ByteWriter(ETH_HEADER_LEN + SLOW_PDU_LENGTH);
  w.bytes(destination).bytes(pdu.source).u16(ETHERTYPE_SLOW_PROTOCOLS);
  w.u8(SUBTYPE.lacp).u8(pdu.version ?? LACP_VERSION);
  writeInfo(w, LACP_TLV.actorInformation, pdu.actor, 'actor');
  writeInfo(w, LACP_TLV.partnerInformation, pdu.partner, 'partner');
  w.u8(LACP_TLV.collectorInformation).u8(COLLECTOR_INFORMATION_LENGTH).u16(pdu.collectorMaxDelay).zeros(12);
  w.u8(LACP_TLV.terminator).u8(0);
  w.zeros(ETH_HEADER_LEN + SLOW_PDU_LENGTH - w.length);
  return w.finish();
}

/**
 * The Slow Protocols subtype of an Ethernet frame, or undefined when it is
 * not a Slow Protocols frame (untagged EtherType 0x8809 with a subtype octet).
 */
export function slowProtocolSubtype(frame: Uint8Array): number | undefined {
  if (frame.length < ETH_HEADER_LEN + 1) return undefined;
  if (((frame[12]! << 8) | frame[13]!) !== ETHERTYPE_SLOW_PROTOCOLS) return undefined;
  return frame[ETH_HEADER_LEN];
}

function readInfo(r: ByteReader, type: number, who: string): PortInformation {
  const t = r.u8(`${who} TLV type`);
  if (t !== type) throw new LacpError('malformedPdu', `LACPDU: ${who} TLV type ${t} at offset ${r.offset - 1}, expected ${type}`);
  const len = r.u8(`${who} information length`);
  if (len !== INFORMATION_LENGTH) throw new LacpError('malformedPdu', `LACPDU: ${who} information length ${len}, expected ${INFORMATION_LENGTH}`);
  const info: PortInformation = {
    systemPriority: r.u16(`${who} system priority`),
    system: r.copy(6, `${who} system`),
    key: r.u16(`${who} key`),
    portPriority: r.u16(`${who} port priority`),
    port: r.u16(`${who} port`),
    state: r.u8(`${who} state`),
  };
  r.skip(3, `${who} reserved`);
  return info;
}

/**
 * Decodes an LACPDU frame. Frames shorter than the 110 octets after the
 * EtherType are malformed: the standard pads every LACPDU to that size.
 * @throws LacpError('notSlowProtocol') when the frame is not subtype 1 of
 *   EtherType 0x8809; LacpError('malformedPdu') naming the field otherwise.
 */
export function decodeLacpdu(frame: Uint8Array): Lacpdu {
  const f = plainView(frame);
  const subtype = slowProtocolSubtype(f);
  if (subtype !== SUBTYPE.lacp) throw new LacpError('notSlowProtocol', subtype === undefined ? 'not a Slow Protocols frame' : `Slow Protocols subtype ${subtype} is not LACP`);
  const r = new ByteReader(f, readFail('LACPDU'));
  const destination = r.copy(6, 'destination');
  const source = r.copy(6, 'source');
  r.skip(3, 'EtherType and subtype');
  r.need(SLOW_PDU_LENGTH - 1, 'LACPDU body (110 octets after the EtherType)');
  const version = r.u8('version');
  if (version < 1) throw new LacpError('malformedPdu', `LACPDU: version ${version}, expected 1 or later`);
  const actor = readInfo(r, LACP_TLV.actorInformation, 'actor');
  const partner = readInfo(r, LACP_TLV.partnerInformation, 'partner');
  const ct = r.u8('collector TLV type');
  if (ct !== LACP_TLV.collectorInformation) throw new LacpError('malformedPdu', `LACPDU: collector TLV type ${ct}, expected ${LACP_TLV.collectorInformation}`);
  const cl = r.u8('collector information length');
  if (cl !== COLLECTOR_INFORMATION_LENGTH) throw new LacpError('malformedPdu', `LACPDU: collector information length ${cl}, expected ${COLLECTOR_INFORMATION_LENGTH}`);
  const collectorMaxDelay = r.u16('collector max delay');
  r.skip(12, 'collector reserved');
  // Version 1: the Terminator follows. Later versions may insert TLVs here
  // (802.1AX-2014 6.4.2.4), each skipped by its length.
  for (;;) {
    const at = r.offset;
    const t = r.u8('TLV type');
    const len = r.u8('TLV length');
    if (t === LACP_TLV.terminator) {
      if (len !== 0) throw new LacpError('malformedPdu', `LACPDU: terminator length ${len} at offset ${at + 1}, expected 0`);
      break;
    }
    if (version === LACP_VERSION) throw new LacpError('malformedPdu', `LACPDU: TLV type ${t} at offset ${at} where a version 1 LACPDU has its terminator`);
    if (len < 2) throw new LacpError('malformedPdu', `LACPDU: TLV type ${t} at offset ${at} with length ${len}, less than its own header`);
    r.skip(len - 2, `TLV type ${t}`);
  }
  return { destination, source, version, actor, partner, collectorMaxDelay };
}

/** Whether two {@link PortInformation}s name the same port of the same system with the same key (states not compared). */
export function samePortInformation(a: PortInformation, b: PortInformation): boolean {
  return a.port === b.port && a.portPriority === b.portPriority && bytesEqual(a.system, b.system) && a.systemPriority === b.systemPriority && a.key === b.key;
}
