/**
 * CKN/CAK pairs from the command line: `--ckn HEX` paired in order with
 * `--cak HEX` or with `--cak-file FILE`. A CAK on the command line is visible
 * to every user of the machine (`ps`, /proc/PID/cmdline); a file (mode 0600)
 * or stdin (`--cak-file -`, once) keeps it there only.
 *
 * @example
 * const [pair] = cknCakPairs(a, { max: 1 });   // dxlab set ... key add
 */
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '../shared/bytes.js';
import { CliError } from './errors.js';

export interface CakArgs {
  ckn?: string | string[];
  cak?: string | string[];
  'cak-file'?: string | string[];
}

export interface CknCakPair {
  /** Lower-case hex. */
  ckn: string;
  /** Lower-case hex. */
  cak: string;
  /** Where the CAK came from, for messages: `--cak #1` or `--cak-file FILE`. */
  cakFrom: string;
}

/** What `--cak-file` means, in every command's help. */
export const CAK_FILE_HELP = 'file holding the CAK as hex (whitespace trimmed), or - for stdin (once): keeps the CAK out of ps; paired in order with --ckn';
export const CAK_HELP = 'CAK, 32 or 64 hex digits (visible to every user in ps: prefer --cak-file)';

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Reads stdin to its end (`--cak-file -`). */
function readStdin(): string {
  return readFileSync(0, 'utf8');
}

/** Hex as `fromHex` reads it (':', '-', '.' and blanks between octets allowed), as lower-case hex. */
function normalHex(text: string, from: string): Uint8Array {
  try {
    return fromHex(text, from);
  } catch (e) {
    // fromHex names `from` and the problem, never the text.
    throw new CliError('usage', (e as Error).message, { cause: e });
  }
}

/**
 * A CAK: 16 or 32 octets (AES-CMAC-128 or -256, 802.1X-2020 9.3.1).
 * Messages name `from`, never the value.
 */
function checkCak(text: string, from: string): string {
  const b = normalHex(text.trim(), from);
  const n = b.length;
  const hex = toHex(b);
  b.fill(0);
  if (n === 0) throw new CliError('usage', `${from}: no CAK in it`);
  if (n !== 16 && n !== 32) throw new CliError('usage', `${from}: a CAK is 16 or 32 octets (32 or 64 hex digits), got ${n}`);
  return hex;
}

/** A CKN: 1 to 32 octets (802.1X-2020 9.3.1). */
function checkCkn(text: string): string {
  const b = normalHex(text, `--ckn ${text}`);
  if (b.length < 1 || b.length > 32) throw new CliError('usage', `--ckn ${text}: a CKN is 1 to 32 octets, got ${b.length}`);
  return toHex(b);
}

/**
 * The pairs given, in order: the i-th `--ckn` with the i-th `--cak` or
 * `--cak-file` (one kind of the two per command line).
 * @param o.max at most this many pairs (1 where a command takes one pair)
 * @param o.stdin reads stdin for `--cak-file -` (tests hand in their own)
 * @throws CliError('usage') naming the option or the file: a count that does
 *   not pair, `-` twice, a file missing or unreadable, or not a CAK.
 */
export function cknCakPairs(a: CakArgs, o: { max?: number; stdin?: () => string } = {}): CknCakPair[] {
  const ckns = list(a.ckn);
  const caks = list(a.cak);
  const files = list(a['cak-file']);
  if (caks.length && files.length) throw new CliError('usage', 'give --cak or --cak-file, not both');
  const n = caks.length + files.length;
  if (ckns.length !== n) throw new CliError('usage', `--ckn and --cak/--cak-file come in pairs: got ${ckns.length} --ckn and ${n} CAK(s)`);
  if (o.max !== undefined && n > o.max) throw new CliError('usage', `this command takes ${o.max === 1 ? 'one CKN/CAK pair' : `at most ${o.max} CKN/CAK pairs`}, got ${n}`);
  if (files.filter((f) => f === '-').length > 1) throw new CliError('usage', '--cak-file -: stdin can be read once only');
  return ckns.map((c, i) => {
    const ckn = checkCkn(c);
    if (caks.length) return { ckn, cak: checkCak(caks[i]!, `--cak #${i + 1}`), cakFrom: `--cak #${i + 1}` };
    const file = files[i]!;
    const from = `--cak-file ${file === '-' ? '- (stdin)' : file}`;
    let text: string;
    try {
      text = file === '-' ? (o.stdin ?? readStdin)() : readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError('usage', `${from}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    return { ckn, cak: checkCak(text, from), cakFrom: from };
  });
}
