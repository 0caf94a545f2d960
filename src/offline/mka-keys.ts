/**
 * SAKs learnt from the MKPDUs of a capture, as Wireshark's MKA key table does:
 * derive ICK and KEK from each CKN/CAK, verify each MKPDU, unwrap each
 * Distributed SAK, and hand the SAs to offline decryption.
 */
import { fromHex } from '../shared/bytes.js';
import { FormatError } from '../shared/errors.js';
import type { MkpduHook } from './decrypt.js';

export interface CaArg {
  ckn: string;
  cak: string;
  origin: string;
}

/**
 * Pairs `--ckn` and `--cak` arguments in order.
 * @throws FormatError('saSpec') when counts differ or a value is not valid hex of the right length.
 */
export function caArgs(ckns: string[], caks: string[]): CaArg[] {
  if (ckns.length !== caks.length) throw new FormatError('saSpec', `--ckn and --cak come in pairs: got ${ckns.length} --ckn and ${caks.length} --cak`);
  return ckns.map((ckn, i) => {
    let c: Uint8Array;
    let k: Uint8Array;
    try {
      c = fromHex(ckn, `--ckn ${ckn}`);
      k = fromHex(caks[i]!, `--cak #${i + 1}`);
    } catch (e) {
      throw new FormatError('saSpec', (e as Error).message);
    }
    if (c.length < 1 || c.length > 32) throw new FormatError('saSpec', `--ckn ${ckn}: a CKN is 1 to 32 octets, got ${c.length}`);
    if (k.length !== 16 && k.length !== 32) throw new FormatError('saSpec', `--cak #${i + 1}: a CAK is 16 or 32 octets (32 or 64 hex digits), got ${k.length}`);
    return { ckn: ckn.toLowerCase(), cak: caks[i]!.toLowerCase(), origin: `--ckn ${ckn}` };
  });
}

export interface MkaKeySource {
  hook: MkpduHook | undefined;
  /** MKPDUs whose ICV verified with none of the CAKs. */
  icvErrors(): number;
}

export function mkaKeySource(cas: CaArg[]): MkaKeySource {
  if (cas.length) throw new FormatError('saSpec', '--ckn/--cak: MKA key derivation is not available in this build yet; give the SAKs with --sa or --keys');
  return { hook: undefined, icvErrors: () => 0 };
}

/** A one-line description of an MKPDU. */
export function describeMkpdu(frame: Uint8Array, _keys: MkaKeySource): { text: string; json: Record<string, unknown> } {
  const version = frame[14];
  const bodyLength = frame.length >= 18 ? (frame[16]! << 8) | frame[17]! : 0;
  return { text: `EAPOL-MKA v${version} (${bodyLength} octets)`, json: { eapolVersion: version, bodyLength } };
}
