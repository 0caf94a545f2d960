/**
 * The dxlab key file: the one format in which every part of dxlab writes and
 * reads MACsec keys (captures, offline decryption, key export).
 *
 * ```json
 * {"version": 1,
 *  "cas":  [{"ckn": "<hex>", "cak": "<hex>"}],
 *  "saks": [{"sci": "<16 hex>", "an": 0, "kn": 1, "suite": "gcm-aes-xpn-256",
 *            "sak": "<32|64 hex>", "ssci": 1, "salt": "<24 hex>",
 *            "firstPn": "1", "from": "2026-11-25T01:25:16.000Z"}]}
 * ```
 *
 * ckn, cak, sci, sak and salt are lower-case hex; an, kn and ssci are JSON
 * integers; firstPn is a decimal string because an XPN PN can exceed 2^53;
 * suite is spelled as on the command line; from is the ISO 8601 time from
 * which the SA was in use and picks between two SAKs with the same AN; a
 * missing sci means every SC; kn, ssci, salt, firstPn and from are optional.
 * The file holds secrets: it is written only on an explicit key export.
 */
import { FormatError } from './errors.js';

export interface KeyFileCa {
  ckn: string;
  cak: string;
}

export interface KeyFileSak {
  sci?: string;
  an: number;
  kn?: number;
  suite: string;
  sak: string;
  ssci?: number;
  salt?: string;
  firstPn?: string;
  from?: string;
}

export interface KeyFile {
  version: 1;
  cas: KeyFileCa[];
  saks: KeyFileSak[];
}

const SUITES = new Map([
  ['gcm-aes-128', 16],
  ['gcm-aes-256', 32],
  ['gcm-aes-xpn-128', 16],
  ['gcm-aes-xpn-256', 32],
]);

function fail(where: string, what: string): never {
  throw new FormatError('keyFile', `${where}: ${what}`);
}

function hexField(v: unknown, where: string, lengths: number[]): string {
  if (typeof v !== 'string' || !/^[0-9a-f]*$/.test(v) || v.length % 2) fail(where, 'expected a lower-case hex string of whole octets');
  if (lengths.length && !lengths.includes(v.length / 2)) fail(where, `expected ${lengths.join(' or ')} octets, got ${v.length / 2}`);
  return v;
}

function intField(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(where, `expected an integer ${min}..${max}`);
  return v;
}

/**
 * Parses and checks a key file.
 * @param source the file name, for error messages
 * @throws FormatError('keyFile') naming the file and the JSON path of the first bad field.
 */
export function parseKeyFile(text: string, source = 'key file'): KeyFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(source, `not JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(source, 'expected a JSON object');
  const o = doc as Record<string, unknown>;
  if (o.version !== 1) fail(`${source} .version`, `expected 1, got ${JSON.stringify(o.version)}`);
  const cas = o.cas ?? [];
  const saks = o.saks ?? [];
  if (!Array.isArray(cas)) fail(`${source} .cas`, 'expected an array');
  if (!Array.isArray(saks)) fail(`${source} .saks`, 'expected an array');
  return {
    version: 1,
    cas: cas.map((c: Record<string, unknown>, i) => {
      const w = `${source} .cas[${i}]`;
      if (typeof c !== 'object' || c === null) fail(w, 'expected an object');
      return { ckn: hexField(c.ckn, `${w}.ckn`, []), cak: hexField(c.cak, `${w}.cak`, [16, 32]) };
    }).map((c, i) => {
      if (c.ckn.length < 2 || c.ckn.length > 64) fail(`${source} .cas[${i}].ckn`, 'expected 1 to 32 octets');
      return c;
    }),
    saks: saks.map((s: Record<string, unknown>, i) => {
      const w = `${source} .saks[${i}]`;
      if (typeof s !== 'object' || s === null) fail(w, 'expected an object');
      if (typeof s.suite !== 'string' || !SUITES.has(s.suite)) fail(`${w}.suite`, `expected one of ${[...SUITES.keys()].join(', ')}`);
      const out: KeyFileSak = {
        an: intField(s.an, `${w}.an`, 0, 3),
        suite: s.suite,
        sak: hexField(s.sak, `${w}.sak`, [SUITES.get(s.suite)!]),
      };
      if (s.sci !== undefined) out.sci = hexField(s.sci, `${w}.sci`, [8]);
      if (s.kn !== undefined) out.kn = intField(s.kn, `${w}.kn`, 0, 0xffffffff);
      if (s.ssci !== undefined) out.ssci = intField(s.ssci, `${w}.ssci`, 0, 0xffffffff);
      if (s.salt !== undefined) out.salt = hexField(s.salt, `${w}.salt`, [12]);
      if (s.firstPn !== undefined) {
        if (typeof s.firstPn !== 'string' || !/^[0-9]+$/.test(s.firstPn) || BigInt(s.firstPn) < 1n || BigInt(s.firstPn) > 0xffffffffffffffffn) {
          fail(`${w}.firstPn`, 'expected a decimal string 1..18446744073709551615');
        }
        out.firstPn = s.firstPn;
      }
      if (s.from !== undefined) {
        if (typeof s.from !== 'string' || Number.isNaN(Date.parse(s.from))) fail(`${w}.from`, 'expected an ISO 8601 time');
        out.from = s.from;
      }
      if (s.suite.includes('xpn') && (out.ssci === undefined || out.salt === undefined)) fail(w, `${s.suite} needs ssci and salt`);
      return out;
    }),
  };
}

/** The key file as JSON text (two-space indent, trailing newline). */
export function serializeKeyFile(k: KeyFile): string {
  return JSON.stringify(k, null, 2) + '\n';
}
