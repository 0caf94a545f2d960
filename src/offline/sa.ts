/**
 * Secure associations as offline tools know them: from `--sa` arguments, from
 * a dxlab key file, or unwrapped from MKPDUs in the capture itself.
 */
import { FormatError } from '../shared/errors.js';
import type { KeyFile, KeyFileSak } from '../shared/key-file.js';
import { fromHex } from '../shared/bytes.js';
import { type CipherSuite, type Sci, cipherSuiteByName, sciFromHex } from '../macsec/index.js';

export interface OfflineSa {
  /** The SC it belongs to; undefined means every SC. */
  sci?: Sci;
  an: number;
  suite: CipherSuite;
  sak: Uint8Array;
  kn?: number;
  ssci?: number;
  salt?: Uint8Array;
  /** PN of the SA's first frame; the reference for XPN PN recovery. */
  firstPn: bigint;
  /** Time (ns since the epoch) from which the SA was in use. */
  fromNs?: bigint;
  /** Where the SA came from, for reports. */
  origin: string;
}

function bad(arg: string, what: string): never {
  throw new FormatError('saSpec', `--sa ${arg}: ${what}`);
}

/**
 * Parses `sci=<16 hex>,an=<0-3>,sak=<32|64 hex>[,ssci=<n>,salt=<24 hex>,pn=<first PN>]`.
 * @throws FormatError('saSpec') naming the argument and the bad field.
 */
export function parseSaSpec(spec: string, suite: CipherSuite): OfflineSa {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) bad(spec, `'${part}' is not key=value`);
    const k = part.slice(0, eq).trim().toLowerCase();
    if (!['sci', 'an', 'sak', 'ssci', 'salt', 'pn'].includes(k)) bad(spec, `unknown field '${k}' (expected sci, an, sak, ssci, salt, pn)`);
    if (fields.has(k)) bad(spec, `field '${k}' given twice`);
    fields.set(k, part.slice(eq + 1).trim());
  }
  const an = Number(fields.get('an'));
  if (!fields.has('an') || !Number.isInteger(an) || an < 0 || an > 3) bad(spec, 'an must be 0, 1, 2 or 3');
  const sakHex = fields.get('sak');
  if (!sakHex) bad(spec, 'sak is required');
  let sak: Uint8Array;
  try {
    sak = fromHex(sakHex, 'sak');
  } catch (e) {
    bad(spec, (e as Error).message);
  }
  if (sak.length !== suite.keyLength) bad(spec, `sak must be ${suite.keyLength} octets (${suite.keyLength * 2} hex digits) for ${suite.cliName}, got ${sak.length}`);
  const sa: OfflineSa = { an, suite, sak, firstPn: 1n, origin: `--sa ${fields.get('sci') ?? '*'}/AN${an}` };
  const sci = fields.get('sci');
  if (sci !== undefined) {
    try {
      sa.sci = sciFromHex(sci);
    } catch (e) {
      bad(spec, (e as Error).message);
    }
  }
  const pn = fields.get('pn');
  if (pn !== undefined) {
    if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(pn) || BigInt(pn) < 1n) bad(spec, `pn must be a positive integer, got '${pn}'`);
    sa.firstPn = BigInt(pn);
    if (sa.firstPn > (suite.xpn ? 0xffffffffffffffffn : 0xffffffffn)) bad(spec, `pn ${pn} exceeds the PN space of ${suite.cliName}`);
  }
  const ssci = fields.get('ssci');
  if (ssci !== undefined) {
    if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(ssci) || Number(ssci) > 0xffffffff) bad(spec, `ssci must be a 32-bit integer, got '${ssci}'`);
    sa.ssci = Number(ssci);
  }
  const salt = fields.get('salt');
  if (salt !== undefined) {
    try {
      sa.salt = fromHex(salt, 'salt');
    } catch (e) {
      bad(spec, (e as Error).message);
    }
    if (sa.salt.length !== 12) bad(spec, `salt must be 12 octets (24 hex digits), got ${sa.salt.length}`);
  }
  if (suite.xpn && (sa.ssci === undefined || !sa.salt)) bad(spec, `${suite.cliName} needs ssci= and salt=`);
  if (!suite.xpn && (sa.ssci !== undefined || sa.salt)) bad(spec, `ssci and salt apply only to the XPN suites, not ${suite.cliName}`);
  return sa;
}

/** The SAs of a key file (already checked by parseKeyFile). */
export function sasFromKeyFile(k: KeyFile, source: string): OfflineSa[] {
  return k.saks.map((s: KeyFileSak, i) => ({
    sci: s.sci !== undefined ? sciFromHex(s.sci) : undefined,
    an: s.an,
    suite: cipherSuiteByName(s.suite),
    sak: fromHex(s.sak),
    kn: s.kn,
    ssci: s.ssci,
    salt: s.salt !== undefined ? fromHex(s.salt) : undefined,
    firstPn: s.firstPn !== undefined ? BigInt(s.firstPn) : 1n,
    fromNs: s.from !== undefined ? BigInt(Date.parse(s.from)) * 1_000_000n : undefined,
    origin: `${source} saks[${i}]`,
  }));
}

/** The suite named on the command line. @throws FormatError('saSpec'). */
export function suiteArg(name: string): CipherSuite {
  try {
    return cipherSuiteByName(name);
  } catch (e) {
    throw new FormatError('saSpec', `--cipher: ${(e as Error).message}`);
  }
}
