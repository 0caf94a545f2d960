import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readCaptureFile } from '../../src/io/pcap.js';
import { sciFromHex, type Sci } from '../../src/macsec/index.js';

export const CAPTURES_DIR = fileURLToPath(new URL('../vectors/captures/', import.meta.url));

export interface CaptureKeys {
  file: string;
  mode: 'mka' | 'static';
  cipher_suite: string;
  cak: string | null;
  ckn: string | null;
  kek?: string;
  ick?: string;
  peers?: Array<{ name: string; mac: string; sci: string; mka_priority: number; mi: string[] }>;
  saks_distributed_by_a?: Array<{ sak: string; ki: string; wrapped_sak: string }>;
  sas?: Array<{ tx_by: string; sci: string; an: number; sak: string; first_pn: number; ssci: number | null; salt: string | null }>;
  frames: { total: number; mka: number; macsec: number };
}

export const KEYS: { captures: CaptureKeys[] } = JSON.parse(readFileSync(join(CAPTURES_DIR, 'keys.json'), 'utf8'));

export function capturePath(file: string): string {
  return join(CAPTURES_DIR, file);
}

export function loadCapture(file: string) {
  return readCaptureFile(capturePath(file));
}

export function captureKeys(file: string): CaptureKeys {
  const k = KEYS.captures.find((c) => c.file === file);
  if (!k) throw new Error(`no keys for ${file}`);
  return k;
}

/** One SA that protected frames in a capture, as a SecY is given it. */
export interface CaptureSa {
  sci: Sci;
  an: number;
  sak: string;
  firstPn: bigint;
  ssci?: number;
  salt?: string;
}

/**
 * The SAs of a capture, from keys.json: a static capture lists them; with MKA
 * both SCs use the one SAK the key server distributed, AN 0 (the first SAK),
 * from PN 1 (keys.json notes).
 */
export function captureSas(file: string): CaptureSa[] {
  const k = captureKeys(file);
  if (k.mode === 'static') {
    return k.sas!.map((s) => ({ sci: sciFromHex(s.sci), an: s.an, sak: s.sak, firstPn: BigInt(s.first_pn), ssci: s.ssci ?? undefined, salt: s.salt ?? undefined }));
  }
  const sak = k.saks_distributed_by_a![0]!.sak;
  return k.peers!.map((p) => ({ sci: sciFromHex(p.sci), an: 0, sak, firstPn: 1n }));
}

/** `dxlab pcap decrypt|encrypt` key arguments (--cipher and --sa) for a capture, from keys.json. */
export function saArgs(file: string): string[] {
  const k = captureKeys(file);
  const suite = k.cipher_suite.toLowerCase();
  if (k.mode === 'static') {
    return ['--cipher', suite, ...k.sas!.flatMap((s) => ['--sa', `sci=${s.sci},an=${s.an},sak=${s.sak}${s.ssci !== null ? `,ssci=${s.ssci},salt=${s.salt},pn=${s.first_pn}` : ''}`])];
  }
  return ['--cipher', suite, '--sa', `an=0,sak=${k.saks_distributed_by_a![0]!.sak}`];
}
