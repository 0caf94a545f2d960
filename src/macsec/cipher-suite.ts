/**
 * The four GCM-AES cipher suites of IEEE 802.1AE-2018 clause 14 with their
 * 64-bit reference numbers (14.1, table 14-1; also Linux uapi
 * MACSEC_CIPHER_ID_* and Wireshark packet-mka.c).
 */
import { MacsecError } from './errors.js';
import { toHex } from '../shared/bytes.js';

export type CipherSuiteName = 'GCM-AES-128' | 'GCM-AES-256' | 'GCM-AES-XPN-128' | 'GCM-AES-XPN-256';

export interface CipherSuite {
  readonly name: CipherSuiteName;
  /** The spelling on the command line and in key files: gcm-aes-xpn-256. */
  readonly cliName: string;
  /** Reference number, 8 octets, as carried in MKA's Distributed SAK. */
  readonly id: bigint;
  /** SAK length in octets. */
  readonly keyLength: 16 | 32;
  /** Extended packet numbering: 64-bit PN, SSCI and salt in the IV (802.1AEbw). */
  readonly xpn: boolean;
}

function suite(name: CipherSuiteName, id: bigint, keyLength: 16 | 32, xpn: boolean): CipherSuite {
  return Object.freeze({ name, cliName: name.toLowerCase(), id, keyLength, xpn });
}

export const GCM_AES_128 = suite('GCM-AES-128', 0x0080c20001000001n, 16, false);
export const GCM_AES_256 = suite('GCM-AES-256', 0x0080c20001000002n, 32, false);
export const GCM_AES_XPN_128 = suite('GCM-AES-XPN-128', 0x0080c20001000003n, 16, true);
export const GCM_AES_XPN_256 = suite('GCM-AES-XPN-256', 0x0080c20001000004n, 32, true);

/**
 * 802.1AE-2006 and 802.1X-2010 printed GCM-AES-128 as 00-80-02-00-01-00-00-01;
 * hostap still uses that value internally, so a receiver accepts both.
 */
export const GCM_AES_128_LEGACY_ID = 0x0080020001000001n;

export const CIPHER_SUITES: readonly CipherSuite[] = Object.freeze([
  GCM_AES_128,
  GCM_AES_256,
  GCM_AES_XPN_128,
  GCM_AES_XPN_256,
]);

/**
 * Finds a suite by its standard name or CLI spelling, case-insensitively.
 * @throws MacsecError('unknownCipherSuite') naming the value seen.
 */
export function cipherSuiteByName(name: string): CipherSuite {
  const n = name.trim().toLowerCase();
  const s = CIPHER_SUITES.find((c) => c.cliName === n);
  if (!s) {
    throw new MacsecError(
      'unknownCipherSuite',
      `unknown cipher suite '${name}': expected one of ${CIPHER_SUITES.map((c) => c.cliName).join(', ')}`,
    );
  }
  return s;
}

/** Finds a suite by reference number, or undefined when the number is not one of the four. */
export function cipherSuiteById(id: bigint): CipherSuite | undefined {
  if (id === GCM_AES_128_LEGACY_ID) return GCM_AES_128;
  return CIPHER_SUITES.find((c) => c.id === id);
}

/** Reference number written 00-80-C2-00-01-00-00-04 style, for status output. */
export function cipherSuiteIdString(id: bigint): string {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, id);
  return toHex(b).toUpperCase().match(/../g)!.join('-');
}
