/** Keys and SCIs shared by the KaY tests (the CKN/CAK of captures/keys.json). */
import { fromHex } from '../../../src/shared/bytes.js';
import { sciFromHex } from '../../../src/macsec/sci.js';
import type { KayConfig } from '../../../src/mka/types.js';

export const CKN = fromHex('63cf1269bfe5fe9e6e8b9fdc06405387057c9bab62262ddf84fe5c14de4e80c4');
export const CAK = fromHex('cab15433c5473029139441e13a580a1436ae1dc5e1c37daea9403e8be0dab703');
export const SCI_DX = sciFromHex('0200000000010001');
export const SCI_RT = sciFromHex('0200000000020001');
export const SCI_C = sciFromHex('0200000000030001');

export function cfg(sci: bigint, extra: Partial<KayConfig> = {}): KayConfig {
  return { sci, keyChain: [{ ckn: CKN, cak: CAK }], ...extra };
}
