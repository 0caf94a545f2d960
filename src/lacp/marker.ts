/**
 * Marker PDU codec and the Marker Responder (IEEE 802.1AX-2014 6.5, figure
 * 6-25; unchanged in 802.1AX-2020): a distributor that wants to move a
 * conversation to another link may send a Marker PDU down the old link and
 * wait for the Marker Response before using the new one, so frames of the
 * conversation are not reordered. Every aggregation port must answer (6.5.1:
 * the Marker Responder is mandatory, the Marker Generator optional). dxlab
 * answers and does not generate: its distributor moves a flow only when its
 * member stops distributing, when the old link carries nothing more anyway.
 *
 * Layout after the EtherType:
 *
 * ```
 *  0 subtype 2      1 version 1
 *  2 TLV 1 (Marker) or 2 (Marker Response), length 16:
 *    requester port(2) requester system(6) requester transaction ID(4) pad(2)
 * 18 TLV 0, length 0   20 reserved(90)            = 110
 * ```
 */
import { ByteReader, ByteWriter, plainView } from '../shared/bytes.js';
import { ETHERTYPE_SLOW_PROTOCOLS, ETH_HEADER_LEN, MARKER_INFORMATION_LENGTH, MARKER_TLV, MARKER_VERSION, SLOW_PDU_LENGTH, SLOW_PROTOCOLS_MULTICAST, SUBTYPE } from './constants.js';
import { LacpError, readFail } from './errors.js';
import { slowProtocolSubtype } from './lacpdu.js';

/** A decoded Marker PDU or Marker Response PDU (802.1AX-2014 6.5.3.3). */
export interface MarkerPdu {
  destination: Uint8Array;
  source: Uint8Array;
  version: number;
  /** `marker` for Marker Information (TLV 1), `response` for Marker Response Information (TLV 2). */
  kind: 'marker' | 'response';
  requesterPort: number;
  /** Requester_System, a MAC address. */
  requesterSystem: Uint8Array;
  requesterTransactionId: number;
}

export type MarkerPduInput = Omit<MarkerPdu, 'destination' | 'version'> & { destination?: Uint8Array; version?: number };

/**
 * The whole Ethernet frame (124 octets, no FCS) of a Marker or Marker Response PDU.
 * @throws LacpError('invalidField') naming the field out of range.
 */
export function encodeMarkerPdu(pdu: MarkerPduInput): Uint8Array {
  const destination = pdu.destination ?? Uint8Array.from(SLOW_PROTOCOLS_MULTICAST);
  for (const [name, b] of [['destination', destination], ['source', pdu.source], ['requesterSystem', pdu.requesterSystem]] as const) {
    if (b.length !== 6) throw new LacpError('invalidField', `${name}: ${b.length} octets, a MAC address has 6`);
  }
  if (!Number.isInteger(pdu.requesterPort) || pdu.requesterPort < 0 || pdu.requesterPort > 0xffff) throw new LacpError('invalidField', `requesterPort: ${pdu.requesterPort} is not in 0..65535`);
  if (!Number.isInteger(pdu.requesterTransactionId) || pdu.requesterTransactionId < 0 || pdu.requesterTransactionId > 0xffffffff) {
    throw new LacpError('invalidField', `requesterTransactionId: ${pdu.requesterTransactionId} is not a 32-bit unsigned integer`);
  }
  const w = new ByteWriter(ETH_HEADER_LEN + SLOW_PDU_LENGTH);
  w.bytes(destination).bytes(pdu.source).u16(ETHERTYPE_SLOW_PROTOCOLS).u8(SUBTYPE.marker).u8(pdu.version ?? MARKER_VERSION);
  w.u8(pdu.kind === 'marker' ? MARKER_TLV.markerInformation : MARKER_TLV.markerResponseInformation).u8(MARKER_INFORMATION_LENGTH);
  w.u16(pdu.requesterPort).bytes(pdu.requesterSystem).u32(pdu.requesterTransactionId).zeros(2);
  w.u8(MARKER_TLV.terminator).u8(0);
  w.zeros(ETH_HEADER_LEN + SLOW_PDU_LENGTH - w.length);
  return w.finish();
}

/**
 * Decodes a Marker or Marker Response PDU frame.
 * @throws LacpError('notSlowProtocol') when not subtype 2 of EtherType 0x8809;
 *   LacpError('malformedPdu') naming the field otherwise.
 */
export function decodeMarkerPdu(frame: Uint8Array): MarkerPdu {
  const f = plainView(frame);
  const subtype = slowProtocolSubtype(f);
  if (subtype !== SUBTYPE.marker) throw new LacpError('notSlowProtocol', subtype === undefined ? 'not a Slow Protocols frame' : `Slow Protocols subtype ${subtype} is not Marker`);
  const r = new ByteReader(f, readFail('Marker PDU'));
  const destination = r.copy(6, 'destination');
  const source = r.copy(6, 'source');
  r.skip(3, 'EtherType and subtype');
  r.need(SLOW_PDU_LENGTH - 1, 'Marker PDU body (110 octets after the EtherType)');
  const version = r.u8('version');
  if (version < 1) throw new LacpError('malformedPdu', `Marker PDU: version ${version}, expected 1 or later`);
  const t = r.u8('TLV type');
  if (t !== MARKER_TLV.markerInformation && t !== MARKER_TLV.markerResponseInformation) throw new LacpError('malformedPdu', `Marker PDU: TLV type ${t}, expected 1 (Marker) or 2 (Marker Response)`);
  const len = r.u8('information length');
  if (len !== MARKER_INFORMATION_LENGTH) throw new LacpError('malformedPdu', `Marker PDU: information length ${len}, expected ${MARKER_INFORMATION_LENGTH}`);
  const requesterPort = r.u16('requester port');
  const requesterSystem = r.copy(6, 'requester system');
  const requesterTransactionId = r.u32('requester transaction ID');
  r.skip(2, 'pad');
  const term = r.u8('terminator type');
  const termLen = r.u8('terminator length');
  if (term !== MARKER_TLV.terminator || termLen !== 0) throw new LacpError('malformedPdu', `Marker PDU: terminator type ${term} length ${termLen}, expected 0 and 0`);
  return { destination, source, version, kind: t === MARKER_TLV.markerInformation ? 'marker' : 'response', requesterPort, requesterSystem, requesterTransactionId };
}

/**
 * The Marker Responder (802.1AX-2014 6.5.4.2): the Marker Response to a
 * Marker PDU received on a port, sent back on that port from the port's own
 * MAC with the requester's fields unchanged. A Marker Response received is
 * not answered (undefined).
 */
export function markerResponse(received: MarkerPdu, portMac: Uint8Array): Uint8Array | undefined {
  if (received.kind !== 'marker') return undefined;
  return encodeMarkerPdu({
    kind: 'response',
    source: portMac,
    requesterPort: received.requesterPort,
    requesterSystem: received.requesterSystem,
    requesterTransactionId: received.requesterTransactionId,
  });
}
