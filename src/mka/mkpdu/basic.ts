/**
 * Basic Parameter Set (802.1X-2020 11.11.1, figure 11-8). It has no type
 * octet: octet 0 is the MKA Version Identifier. Octet 2 carries Key Server
 * (0x80), MACsec Desired (0x40) and MACsec Capability (0x30) above the body
 * length's high nibble; the body is 28 fixed octets then the CKN (1..32).
 */
import { ByteReader, ByteWriter } from '../../shared/bytes.js';
import { sciToBytes } from '../../macsec/index.js';
import { MkaError, readFail } from '../errors.js';
import { BASIC_FIXED_BODY_LEN, CKN_MAX_LEN, CKN_MIN_LEN, MI_LEN } from '../constants.js';
import type { BasicParameterSet } from './types.js';
import { checkLength, checkRange, padded4 } from './set-header.js';

const NAME = 'Basic Parameter Set';

/**
 * Reads the Basic Parameter Set and its padding from `r`.
 * @throws MkaError('malformedMkpdu') for a body length outside 29..60 or a short input.
 */
export function decodeBasic(r: ByteReader): BasicParameterSet {
  const version = r.u8('MKA Version Identifier');
  const keyServerPriority = r.u8('Key Server Priority');
  const w = r.u16('Basic Parameter Set body length');
  const bodyLength = w & 0x0fff;
  const cknLength = bodyLength - BASIC_FIXED_BODY_LEN;
  if (cknLength < CKN_MIN_LEN || cknLength > CKN_MAX_LEN) {
    throw new MkaError(
      'malformedMkpdu',
      `${NAME}: body length ${bodyLength} at offset ${r.offset - 2} gives a CKN of ${cknLength} octets, expected ${CKN_MIN_LEN}..${CKN_MAX_LEN}`,
    );
  }
  const body = new ByteReader(r.bytesView(bodyLength, 'Basic Parameter Set body'), readFail(NAME));
  const sci = body.u64('Actor SCI');
  const mi = body.copy(MI_LEN, 'Actor Member Identifier');
  const mn = body.u32('Actor Message Number');
  const algorithmAgility = body.u32('Algorithm Agility');
  const ckn = body.copy(cknLength, 'CAK Name');
  r.skip(padded4(bodyLength) - bodyLength, 'Basic Parameter Set padding');
  return {
    version,
    keyServerPriority,
    keyServer: (w & 0x8000) !== 0,
    macsecDesired: (w & 0x4000) !== 0,
    macsecCapability: ((w >> 12) & 0x3) as 0 | 1 | 2 | 3,
    sci,
    mi,
    mn,
    algorithmAgility,
    ckn,
  };
}

/** Writes the Basic Parameter Set with its padding. @throws MkaError('invalidField') for out-of-range fields. */
export function encodeBasic(w: ByteWriter, b: BasicParameterSet): void {
  checkRange(NAME, 'MKA Version Identifier', b.version, 0xff);
  checkRange(NAME, 'Key Server Priority', b.keyServerPriority, 0xff);
  checkRange(NAME, 'MACsec Capability', b.macsecCapability, 3);
  checkRange(NAME, 'Actor Message Number', b.mn, 0xffffffff);
  checkLength(NAME, 'Actor Member Identifier', b.mi, MI_LEN);
  if (b.ckn.length < CKN_MIN_LEN || b.ckn.length > CKN_MAX_LEN) {
    throw new MkaError('invalidField', `${NAME}: CKN of ${b.ckn.length} octets, expected ${CKN_MIN_LEN}..${CKN_MAX_LEN}`);
  }
  const bodyLength = BASIC_FIXED_BODY_LEN + b.ckn.length;
  const flags = (b.keyServer ? 0x8000 : 0) | (b.macsecDesired ? 0x4000 : 0) | (b.macsecCapability << 12);
  w.u8(b.version).u8(b.keyServerPriority).u16(flags | bodyLength);
  w.bytes(sciToBytes(b.sci)).bytes(b.mi).u32(b.mn).u32(b.algorithmAgility).bytes(b.ckn);
  w.zeros(padded4(bodyLength) - bodyLength);
}
