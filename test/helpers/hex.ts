import { fromHex, toHex } from '../../src/shared/bytes.js';

export const h = (s: string): Uint8Array => fromHex(s);
export const hex = (b: Uint8Array): string => toHex(b);
