/**
 * BGP-4 message codec: `encodeMessage` / `decodeMessage`, mirrored, plus the
 * framing helpers a TCP driver needs (`messageLength`, `MessageFramer`).
 *
 * Header (RFC 4271 §4.1) checks in the order of §6.1: Marker all ones, else
 * Connection Not Synchronized; Length within 19..4096 and right for the type,
 * else Bad Message Length with the Length field as Data; a known Type, else
 * Bad Message Type with the Type octet as Data. OPEN (§4.2, §6.2): version 4
 * (else Unsupported Version Number, Data the largest version supported as two
 * octets), hold time not 1 or 2 (Unacceptable Hold Time), BGP Identifier not
 * zero (Bad BGP Identifier, RFC 6286 §2.2), then the optional parameters
 * (RFC 5492). UPDATE (§4.3, §6.3, RFC 7606): field lengths that cannot locate
 * the NLRI are Malformed Attribute List, a bad prefix is Invalid Network
 * Field; attribute errors are handled in attributes.ts. NOTIFICATION (§4.5),
 * KEEPALIVE (§4.4), ROUTE-REFRESH (RFC 2918 §3).
 *
 * Decoding throws nothing but BgpError, and what it throws carries the
 * NOTIFICATION to send. Decoded objects hold copies, never views of the input.
 */
import { ByteReader, ByteWriter } from '../shared/bytes.js';
import {
  AFI_IPV4,
  BGP_VERSION,
  HEADER_LEN,
  KEEPALIVE_LEN,
  MARKER_LEN,
  MAX_ASN_2,
  MAX_MESSAGE_LEN,
  MIN_NONZERO_HOLD_TIME_SECONDS,
  MIN_NOTIFICATION_LEN,
  MIN_OPEN_LEN,
  MIN_UPDATE_LEN,
  MessageType,
  ROUTE_REFRESH_LEN,
  AttrType,
} from './constants.js';
import { decodePathAttributes, encodePathAttributes } from './attributes.js';
import { decodeOptionalParameters, encodeOptionalParameters } from './capabilities.js';
import { BgpError } from './errors.js';
import type { Message, Open, Update, UpdateErrorNote } from './messages.js';
import { decodePrefixes, encodePrefixes, formatIpv4, parseIpv4 } from './prefix.js';

/** Session facts the UPDATE encoding depends on. */
export interface CodecOptions {
  /**
   * Both sides announced the four-octet AS capability (RFC 6793 §4.1).
   * @default false: two-octet AS numbers, as RFC 4271 alone defines them
   */
  readonly fourOctetAs?: boolean;
  /**
   * The peer is external (eBGP), so a received LOCAL_PREF is discarded (RFC 7606 §7.5).
   * @default true: this speaker runs eBGP sessions only
   */
  readonly external?: boolean;
}

const TYPE_CODES: Readonly<Record<Message['type'], number>> = {
  open: MessageType.OPEN,
  update: MessageType.UPDATE,
  notification: MessageType.NOTIFICATION,
  keepalive: MessageType.KEEPALIVE,
  routeRefresh: MessageType.ROUTE_REFRESH,
};

function u16(v: number): Uint8Array {
  return Uint8Array.of(v >> 8, v & 0xff);
}

function checkField(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new BgpError('invalidArgument', `${what} ${v} out of range 0..${max}`);
}

/**
 * Encodes one message with its header.
 * @throws BgpError('invalidArgument') for fields out of range, bad prefixes,
 *   or a message longer than 4096 octets (RFC 4271 §4.1).
 */
export function encodeMessage(m: Message, options: CodecOptions = {}): Uint8Array {
  const w = new ByteWriter(64);
  w.bytes(new Uint8Array(MARKER_LEN).fill(0xff)).u16(0).u8(TYPE_CODES[m.type]);
  switch (m.type) {
    case 'open': {
      checkField('version', m.version, 0xff);
      checkField('My AS', m.myAs, MAX_ASN_2);
      checkField('hold time', m.holdTime, 0xffff);
      const params = encodeOptionalParameters(m.capabilities);
      w.u8(m.version).u16(m.myAs).u16(m.holdTime).bytes(parseIpv4(m.bgpId)).u8(params.length).bytes(params);
      break;
    }
    case 'update': {
      const wr = new ByteWriter(64);
      encodePrefixes(wr, AFI_IPV4, m.withdrawn);
      const withdrawn = wr.finish();
      const aw = new ByteWriter(128);
      encodePathAttributes(aw, m.attributes, { fourOctetAs: options.fourOctetAs ?? false });
      const attrs = aw.finish();
      w.u16(withdrawn.length).bytes(withdrawn).u16(attrs.length).bytes(attrs);
      encodePrefixes(w, AFI_IPV4, m.nlri);
      break;
    }
    case 'notification':
      checkField('error code', m.code, 0xff);
      checkField('error subcode', m.subcode, 0xff);
      w.u8(m.code).u8(m.subcode).bytes(m.data);
      break;
    case 'keepalive':
      break;
    case 'routeRefresh':
      checkField('AFI', m.afi, 0xffff);
      checkField('subtype', m.subtype, 0xff);
      checkField('SAFI', m.safi, 0xff);
      w.u16(m.afi).u8(m.subtype).u8(m.safi);
      break;
  }
  if (w.length > MAX_MESSAGE_LEN) throw new BgpError('invalidArgument', `${m.type} message of ${w.length} octets exceeds ${MAX_MESSAGE_LEN} (RFC 4271 §4.1)`);
  w.patchU16(MARKER_LEN, w.length);
  return w.finish();
}

/** Smallest length of each type and whether it is also the largest (RFC 4271 §6.1). */
const LENGTH_RULES: Readonly<Record<number, { min: number; exact: boolean }>> = {
  [MessageType.OPEN]: { min: MIN_OPEN_LEN, exact: false },
  [MessageType.UPDATE]: { min: MIN_UPDATE_LEN, exact: false },
  [MessageType.NOTIFICATION]: { min: MIN_NOTIFICATION_LEN, exact: false },
  [MessageType.KEEPALIVE]: { min: KEEPALIVE_LEN, exact: true },
  [MessageType.ROUTE_REFRESH]: { min: ROUTE_REFRESH_LEN, exact: true },
};

/**
 * Checks the marker and Length field of a header at the start of `bytes`
 * and returns the message's total length, or null while fewer than 19 octets
 * have arrived. For a TCP driver that cuts the stream into messages.
 * @throws BgpError('connectionNotSynchronized' | 'badMessageLength')
 */
export function messageLength(bytes: Uint8Array): number | null {
  if (bytes.length < HEADER_LEN) return null;
  for (let i = 0; i < MARKER_LEN; i++) {
    if (bytes[i] !== 0xff) throw new BgpError('connectionNotSynchronized', `marker octet ${i} is 0x${bytes[i]!.toString(16).padStart(2, '0')}, not 0xff`);
  }
  const length = (bytes[16]! << 8) | bytes[17]!;
  if (length < HEADER_LEN || length > MAX_MESSAGE_LEN) {
    throw new BgpError('badMessageLength', `Length field ${length} outside ${HEADER_LEN}..${MAX_MESSAGE_LEN}`, { data: u16(length) });
  }
  return length;
}

/**
 * Decodes exactly one message (`bytes` is the whole message, as cut by
 * {@link messageLength}; it may be a view into a larger buffer).
 * @throws BgpError, whose `notification` is what RFC 4271 / RFC 7606 prescribe.
 */
export function decodeMessage(bytes: Uint8Array, options: CodecOptions = {}): Message {
  const length = messageLength(bytes);
  if (length === null) throw new BgpError('badMessageLength', `message of ${bytes.length} octets is shorter than the ${HEADER_LEN}-octet header`, { data: u16(bytes.length) });
  if (length !== bytes.length) {
    throw new BgpError('badMessageLength', `Length field ${length} but the message holds ${bytes.length} octets`, { data: u16(length) });
  }
  const type = bytes[18]!;
  const rule = LENGTH_RULES[type];
  if (!rule) throw new BgpError('badMessageType', `message type ${type} is unknown`, { data: Uint8Array.of(type) });
  if (length < rule.min || (rule.exact && length !== rule.min)) {
    throw new BgpError('badMessageLength', `Length ${length} is not valid for type ${type} (${rule.exact ? 'exactly' : 'at least'} ${rule.min})`, { data: u16(length) });
  }
  const body = bytes.subarray(HEADER_LEN);
  switch (type) {
    case MessageType.OPEN:
      return decodeOpen(body);
    case MessageType.UPDATE:
      return decodeUpdate(body, options);
    case MessageType.NOTIFICATION:
      return { type: 'notification', code: body[0]!, subcode: body[1]!, data: body.slice(2) };
    case MessageType.KEEPALIVE:
      return { type: 'keepalive' };
    default:
      return { type: 'routeRefresh', afi: (body[0]! << 8) | body[1]!, subtype: body[2]!, safi: body[3]! };
  }
}

function decodeOpen(body: Uint8Array): Open {
  // The fixed part is present: the length check guaranteed 10 octets.
  const r = new ByteReader(body, (field, offset) => new BgpError('malformedOpen', `OPEN ${field} at offset ${offset}`));
  const version = r.u8('version');
  if (version !== BGP_VERSION) {
    throw new BgpError('unsupportedVersionNumber', `OPEN version ${version}, only ${BGP_VERSION} is supported`, { data: u16(BGP_VERSION) });
  }
  const myAs = r.u16('My AS');
  const holdTime = r.u16('hold time');
  if (holdTime > 0 && holdTime < MIN_NONZERO_HOLD_TIME_SECONDS) {
    throw new BgpError('unacceptableHoldTime', `OPEN hold time ${holdTime} s must be rejected (RFC 4271 §4.2)`);
  }
  const id = r.bytesView(4, 'BGP Identifier');
  if (id.every((b) => b === 0)) throw new BgpError('badBgpIdentifier', 'OPEN BGP Identifier is 0.0.0.0 (RFC 6286 §2.2)');
  const optLen = r.u8('optional parameters length');
  if (optLen !== r.remaining) {
    throw new BgpError('malformedOpen', `OPEN optional parameters length ${optLen}, but ${r.remaining} octets follow`);
  }
  const capabilities = decodeOptionalParameters(r.bytesView(optLen, 'optional parameters'));
  return { type: 'open', version, myAs, holdTime, bgpId: formatIpv4(id), capabilities };
}

function decodeUpdate(body: Uint8Array, options: CodecOptions): Update {
  // RFC 4271 §6.3: Withdrawn Routes Length + Total Path Attribute Length + 23
  // beyond the message Length leaves the NLRI unlocatable.
  const r = new ByteReader(body, (field, offset, need, have) =>
    new BgpError('malformedAttributeList', `UPDATE ${field} at offset ${offset + HEADER_LEN} needs ${need} octets, ${have} left`),
  );
  const wrl = r.u16('Withdrawn Routes Length');
  const withdrawn = decodePrefixes(r.bytesView(wrl, 'Withdrawn Routes'), AFI_IPV4, 'invalidNetworkField', 'Withdrawn Routes');
  const tpal = r.u16('Total Path Attribute Length');
  const decoded = decodePathAttributes(r.bytesView(tpal, 'Path Attributes'), {
    fourOctetAs: options.fourOctetAs ?? false,
    external: options.external ?? true,
  });
  const nlri = decodePrefixes(r.bytesView(r.remaining, 'NLRI'), AFI_IPV4, 'invalidNetworkField', 'NLRI');

  const errors: UpdateErrorNote[] = [...decoded.errors];
  let treatAsWithdraw = decoded.treatAsWithdraw;
  // Well-known mandatory attributes, only where there are routes to carry
  // them: NEXT_HOP only for the NLRI field (RFC 4760 §3); missing ones mean
  // treat-as-withdraw (RFC 7606 §3 d). An attribute present but malformed
  // was already handled and is not reported twice.
  const mandatory: number[] = [];
  if (nlri.length > 0) mandatory.push(AttrType.ORIGIN, AttrType.AS_PATH, AttrType.NEXT_HOP);
  else if ((decoded.attributes.mpReach?.nlri.length ?? 0) > 0) mandatory.push(AttrType.ORIGIN, AttrType.AS_PATH);
  for (const t of mandatory) {
    if (decoded.seen.has(t)) continue;
    treatAsWithdraw = true;
    errors.push({ action: 'treatAsWithdraw', error: 'missingWellKnownAttribute', attributeType: t, reason: `well-known mandatory attribute ${t} missing (RFC 7606 §3 d)` });
  }
  const update: Update = { type: 'update', withdrawn, attributes: decoded.attributes, nlri };
  if (errors.length === 0) return update;
  return treatAsWithdraw ? { ...update, treatAsWithdraw: true, errors } : { ...update, errors };
}

/**
 * Cuts a TCP byte stream into whole messages. Chunks are copied in, so the
 * caller may reuse its buffers.
 */
export class MessageFramer {
  private buf = new Uint8Array(0);

  /**
   * Adds received octets and returns the whole messages now available (each a fresh array).
   * @throws BgpError('connectionNotSynchronized' | 'badMessageLength') for a bad header; the stream is then unusable.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const next = new Uint8Array(this.buf.length + chunk.length);
    next.set(this.buf);
    next.set(chunk, this.buf.length);
    this.buf = next;
    const out: Uint8Array[] = [];
    for (;;) {
      const len = messageLength(this.buf);
      if (len === null || len > this.buf.length) break;
      out.push(this.buf.slice(0, len));
      this.buf = this.buf.subarray(len);
    }
    return out;
  }

  /** Octets held for an incomplete message. */
  get pending(): number {
    return this.buf.length;
  }
}
