/**
 * MKA, the MACsec Key Agreement protocol of IEEE 802.1X-2020 (clauses 9, 11
 * and 12), as a pure, time-driven KaY: the MKPDU codec, the AES-CMAC KDF and
 * ICV, AES key wrap, participants with key-server election and SAK
 * distribution, lossless SAK rollover, key chains of up to three CKN/CAK
 * pairs, the AWS encryption-mode policy, OpenConfig counters, status and an
 * event timeline. It never touches the SecY: it returns {@link SecYCommand}s
 * for the node to apply, and takes PNs the node reads from the SecY.
 *
 * @example
 * import { KaY } from './mka/index.js';
 * const kay = new KaY({ sci, keyChain: [{ ckn, cak }], mode: 'should_encrypt' }, { random });
 * let out = kay.start(clock());
 * // on an EAPOL frame: out = kay.receive(clock(), frame)
 * // at out.nextDeadline: out = kay.tick(clock())
 * // each time: send out.mkpdus, apply out.commands to the SecY, log out.events
 *
 * Helpers for the CLI (`dxlab pcap inspect|decrypt`, `dxlab keys derive`):
 * deriveIck, deriveKek, decodeMkpdu, verifyMkpduIcv, unwrapSak, summariseMkpdu.
 */
import type { Secret } from '../shared/secret.js';
import { unwrapKey } from './key-wrap.js';

export { KaY, zeroCounters } from './kay.js';
export { MkaError, type MkaErrorCode } from './errors.js';
export * from './constants.js';
export * from './types.js';
export { controlledPortState } from './policy.js';
export { deriveIck, deriveKek, deriveSak, kdf, mkpduIcv } from './kdf.js';
export { wrapKey, unwrapKey } from './key-wrap.js';
export { assignSscis, chooseCipherSuite, electKeyServer, xpnSalt } from './key-server.js';
export { summariseMkpdu } from './summary.js';
export {
  decodeMkpdu,
  encodeMkpdu,
  verifyMkpduIcv,
  mkpduLayout,
  parameterSetName,
  announcedCipherSuites,
  cipherSuitesTlv,
} from './mkpdu/index.js';
export type * from './mkpdu/types.js';
export type { DecodeMkpduOptions, MkpduLayout, AnnouncedCipherSuite } from './mkpdu/index.js';

/**
 * Unwraps a Distributed SAK's wrapped key with the KEK (RFC 3394).
 * @throws MkaError('invalidKey' | 'unwrapFailed').
 */
export function unwrapSak(kek: Secret | Uint8Array, wrapped: Uint8Array): Secret {
  return unwrapKey(kek, wrapped, 'SAK');
}
