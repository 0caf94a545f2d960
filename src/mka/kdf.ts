/**
 * MKA key derivation (IEEE 802.1X-2020 6.2.1 and 9.3): the AES-CMAC KDF, the
 * ICK and KEK derived from a CAK and its CKN, SAK derivation from a key-server
 * nonce, and the MKPDU ICV (9.4.1).
 *
 * KDF(K, Label, Context, L): for i = 1..ceil(L/128), block i is
 * AES-CMAC(K, [i]₈ ‖ Label ‖ 0x00 ‖ Context ‖ [L]₁₆); the output is the first
 * L bits of the blocks (6.2.1, an SP 800-108 counter-mode KDF). AES-128 or
 * AES-256 is chosen by the key length. Same in hostap `aes_kdf`
 * (src/pae/ieee802_1x_key.c) and Wireshark
 * `mka_derive_key`.
 *
 * @example
 * const ick = deriveIck(cak, ckn);      // Secret, 16 or 32 octets like the CAK
 * const icv = mkpduIcv(ick, frame.subarray(0, frame.length - 16));
 */
import { cmac } from '@noble/ciphers/aes.js';
import { Secret } from '../shared/secret.js';
import { concat } from '../shared/bytes.js';
import { MkaError } from './errors.js';
import { CKN_MAX_LEN, CKN_MIN_LEN, ICV_LEN } from './constants.js';

const LABEL_ICK = 'IEEE8021 ICK';
const LABEL_KEK = 'IEEE8021 KEK';
const LABEL_SAK = 'IEEE8021 SAK';

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** @throws MkaError('invalidKey') unless `key` is 16 or 32 octets. */
function checkAesKey(key: Uint8Array, what: string): void {
  if (key.length !== 16 && key.length !== 32) {
    throw new MkaError('invalidKey', `${what}: expected 16 or 32 octets, got ${key.length}`);
  }
}

/**
 * The 802.1X-2020 6.2.1 KDF.
 * @param key 16- or 32-octet AES key (AES-CMAC-128 or -256).
 * @param label ASCII label without terminator (the 0x00 separator is added here).
 * @param context octets of the context.
 * @param bits output length L in bits, a multiple of 8, at most 65535.
 * @throws MkaError('invalidKey') for a key of another length; RangeError for a bad length.
 */
export function kdf(key: Uint8Array, label: string, context: Uint8Array, bits: number): Uint8Array {
  checkAesKey(key, 'KDF key');
  if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0 || bits > 0xffff) {
    throw new RangeError(`KDF output length ${bits} bits: expected a positive multiple of 8 below 65536`);
  }
  const lab = ascii(label);
  const n = Math.ceil(bits / 128);
  const out = new Uint8Array(n * 16);
  for (let i = 1; i <= n; i++) {
    const msg = concat(Uint8Array.of(i), lab, Uint8Array.of(0), context, Uint8Array.of(bits >> 8, bits & 0xff));
    out.set(cmac(msg, key), (i - 1) * 16);
  }
  return out.slice(0, bits / 8);
}

/** @throws MkaError('invalidKey') unless the CKN has 1..32 octets. */
export function checkCkn(ckn: Uint8Array): void {
  if (ckn.length < CKN_MIN_LEN || ckn.length > CKN_MAX_LEN) {
    throw new MkaError('invalidKey', `CKN: expected ${CKN_MIN_LEN}..${CKN_MAX_LEN} octets, got ${ckn.length}`);
  }
}

/**
 * ICK/KEK context: the first 16 octets of the CKN, zero-padded when shorter
 * (802.1X-2020 9.3.3; the 32-octet CKNs of the captures in
 * test/vectors/captures/keys.json confirm that octets 16..31 do not take
 * part, docs/mka-decisions.md §4).
 */
function cknContext(ckn: Uint8Array): Uint8Array {
  const c = new Uint8Array(16);
  c.set(ckn.subarray(0, 16));
  return c;
}

function cakBytes(cak: Secret | Uint8Array): Uint8Array {
  const b = cak instanceof Secret ? cak.expose() : cak;
  checkAesKey(b, 'CAK');
  return b;
}

/**
 * ICK = KDF(CAK, "IEEE8021 ICK", CKN[0..15], |CAK|) (802.1X-2020 9.3.3).
 * @throws MkaError('invalidKey') for a CAK of other than 16/32 octets or a CKN outside 1..32.
 */
export function deriveIck(cak: Secret | Uint8Array, ckn: Uint8Array): Secret {
  const k = cakBytes(cak);
  checkCkn(ckn);
  return new Secret(kdf(k, LABEL_ICK, cknContext(ckn), k.length * 8), 'ICK');
}

/**
 * KEK = KDF(CAK, "IEEE8021 KEK", CKN[0..15], |CAK|) (802.1X-2020 9.3.3).
 * @throws MkaError('invalidKey') as {@link deriveIck}.
 */
export function deriveKek(cak: Secret | Uint8Array, ckn: Uint8Array): Secret {
  const k = cakBytes(cak);
  checkCkn(ckn);
  return new Secret(kdf(k, LABEL_KEK, cknContext(ckn), k.length * 8), 'KEK');
}

/**
 * SAK = KDF(CAK, "IEEE8021 SAK", KS-nonce ‖ MI of each live member ‖ KN, |SAK|)
 * (802.1X-2020 9.8.1; Annex G.6 vectors). The key server draws the nonce from
 * its random source; members only ever see the wrapped result.
 * @param kn key number, written big-endian.
 * @param sakLength 16 or 32 octets.
 * @throws MkaError('invalidKey') for a CAK of other than 16/32 octets.
 */
export function deriveSak(
  cak: Secret | Uint8Array,
  ksNonce: Uint8Array,
  memberIdentifiers: readonly Uint8Array[],
  kn: number,
  sakLength: 16 | 32,
): Secret {
  const k = cakBytes(cak);
  const knBytes = new Uint8Array(4);
  new DataView(knBytes.buffer).setUint32(0, kn >>> 0);
  return new Secret(kdf(k, LABEL_SAK, concat(ksNonce, ...memberIdentifiers, knBytes), sakLength * 8), 'SAK');
}

/**
 * MKPDU ICV = AES-CMAC(ICK, DA ‖ SA ‖ EtherType ‖ EAPOL header ‖ MKPDU up to
 * the ICV) (802.1X-2020 9.4.1), AES-CMAC-128 or -256 by the ICK's length.
 * @param covered the frame from its first octet up to (not including) the ICV.
 * @throws MkaError('invalidKey') for an ICK of other than 16/32 octets.
 */
export function mkpduIcv(ick: Secret | Uint8Array, covered: Uint8Array): Uint8Array {
  const k = ick instanceof Secret ? ick.expose() : ick;
  checkAesKey(k, 'ICK');
  return cmac(covered, k).slice(0, ICV_LEN);
}
