/**
 * `dxlab pcap inspect|decrypt|encrypt`: offline work on capture files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Argv } from 'yargs';
import { IoError, LINKTYPE_ETHERNET, readCaptureFile, serializePcap, serializePcapng, type Capture } from '../../io/index.js';
import { parseKeyFile } from '../../shared/key-file.js';
import { FormatError } from '../../shared/errors.js';
import { isMacsecFrame } from '../../macsec/index.js';
import {
  addresses,
  decryptFrames,
  describeCleartext,
  describeMkpdu,
  encryptFrames,
  isMkpdu,
  mkaKeySource,
  parseSaSpec,
  sasFromKeyFile,
  suiteArg,
  summarizeSecTag,
  type CaArg,
  type FrameOutcome,
  type OfflineSa,
} from '../../offline/index.js';
import { CAK_FILE_HELP, CAK_HELP, cknCakPairs } from '../cak-args.js';
import { CliError } from '../errors.js';
import { printJson, printLine, note } from '../output.js';

interface KeyArgs {
  keys?: string;
  cipher?: string;
  sa?: string[];
  ckn?: string[];
  cak?: string[];
  'cak-file'?: string | string[];
}

function readCapture(path: string, arg: string): Capture {
  try {
    return readCaptureFile(path);
  } catch (e) {
    if (e instanceof IoError) throw new CliError('usage', `${arg}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** The format an output file gets: what its name asks for (.pcapng, .pcap), else the input's. */
function outputFormat(path: string, input: Capture['format']): Capture['format'] {
  const ext = extname(path).toLowerCase();
  return ext === '.pcapng' ? 'pcapng' : ext === '.pcap' ? 'pcap' : input;
}

/** Writes `frames` in the format {@link outputFormat} picks; returns that format. */
function writeCapture(path: string, cap: Capture, frames: Capture['frames']): Capture['format'] {
  const format = outputFormat(path, cap.format);
  const linkType = cap.interfaces[0]?.linkType ?? LINKTYPE_ETHERNET;
  let bytes: Uint8Array;
  try {
    bytes = format === 'pcapng' ? serializePcapng({ interfaces: cap.interfaces, frames }) : serializePcap(frames, { linkType });
  } catch (e) {
    if (e instanceof IoError) throw new CliError('usage', `--out ${path}: ${e.message}`, { cause: e });
    throw e;
  }
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new CliError('usage', `--out: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return format;
}

/** Turns the key arguments into SAs and CKN/CAK pairs. @throws CliError('usage') naming the argument. */
function loadKeys(a: KeyArgs, needCipherForSa: boolean): { sas: OfflineSa[]; cas: CaArg[] } {
  const sas: OfflineSa[] = [];
  let cas: CaArg[] = [];
  try {
    if (a.sa?.length) {
      if (!a.cipher && needCipherForSa) throw new CliError('usage', '--sa needs --cipher SUITE (gcm-aes-128, gcm-aes-256, gcm-aes-xpn-128, gcm-aes-xpn-256)');
      const suite = suiteArg(a.cipher ?? '');
      for (const s of a.sa) sas.push(parseSaSpec(s, suite));
    } else if (a.cipher) {
      suiteArg(a.cipher);
    }
    if (a.keys) {
      let text: string;
      try {
        text = readFileSync(a.keys, 'utf8');
      } catch (e) {
        throw new CliError('usage', `--keys: cannot read ${a.keys}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const kf = parseKeyFile(text, `--keys ${a.keys}`);
      sas.push(...sasFromKeyFile(kf, a.keys));
      cas = cas.concat(kf.cas.map((c) => ({ ckn: c.ckn, cak: c.cak, origin: a.keys! })));
    }
    cas = cas.concat(cknCakPairs(a).map((p) => ({ ckn: p.ckn, cak: p.cak, origin: `--ckn ${p.ckn}` })));
  } catch (e) {
    if (e instanceof FormatError) throw new CliError('usage', e.message, { cause: e });
    throw e;
  }
  return { sas, cas };
}

const keyOptions = (y: Argv) =>
  y
    .option('keys', { type: 'string', describe: 'dxlab key file (JSON: cas and saks)' })
    .option('cipher', { type: 'string', describe: 'cipher suite of the --sa keys: gcm-aes-128, gcm-aes-256, gcm-aes-xpn-128, gcm-aes-xpn-256' })
    .option('sa', { type: 'string', array: true, describe: 'sci=<16 hex>,an=<0-3>,sak=<hex>[,ssci=N,salt=<24 hex>,pn=<first PN>]' })
    .option('ckn', { type: 'string', array: true, describe: 'CAK name (hex), paired in order with --cak or --cak-file' })
    .option('cak', { type: 'string', array: true, describe: CAK_HELP })
    // Not `array: true`: yargs would not take `-` as an array's element. Repeated, it is an array all the same.
    .option('cak-file', { type: 'string', describe: `${CAK_FILE_HELP}; repeatable`, requiresArg: true })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' });

function formatTime(ns: bigint, first: bigint): string {
  const d = ns - first;
  return `${d / 1_000_000_000n}.${(d % 1_000_000_000n / 1000n).toString().padStart(6, '0')}`;
}

export function pcapCommand(y: Argv): Argv {
  return y
    .command(
      'inspect <file>',
      'one line per frame: MACsec SecTAG fields, MKPDU parameter sets, or what else it is',
      (c) => keyOptions(c.positional('file', { type: 'string', demandOption: true, describe: 'pcap or pcapng file' })),
      (a) => {
        const cap = readCapture(a.file as string, 'FILE');
        const { sas, cas } = loadKeys(a as KeyArgs, true);
        const keys = mkaKeySource(cas);
        const dec = decryptFrames(cap.frames, sas, keys.hook);
        const first = cap.frames[0]?.timeNs ?? 0n;
        const rows = cap.frames.map((f, i) => {
          const { src, dst } = addresses(f.data);
          const row: Record<string, unknown> = { index: i + 1, time: formatTime(f.timeNs, first), timeNs: f.timeNs, src, dst, length: f.data.length };
          let text: string;
          if (isMacsecFrame(f.data)) {
            const s = summarizeSecTag(f.data);
            row.kind = 'macsec';
            row.macsec = s;
            text = 'malformed' in s ? `MACsec, bad SecTAG (${s.malformed})` : `MACsec TCI=${s.tci} AN=${s.an} SL=${s.sl} PN=${s.pn} SCI=${s.sci}`;
            const outcome: FrameOutcome = dec.outcomes[i]!;
            if (sas.length || cas.length) {
              row.outcome = outcome;
              text += outcome === 'decrypted' ? ` [decrypted: ${describeCleartext(dec.frames[i]!.data)}]` : ` [${outcome}]`;
            }
          } else if (isMkpdu(f.data)) {
            const m = describeMkpdu(f.data, keys);
            row.kind = 'mka';
            row.mka = m.json;
            text = m.text;
          } else {
            row.kind = 'other';
            text = describeCleartext(f.data);
          }
          row.summary = text;
          return { row, line: `${String(i + 1).padStart(4)} ${row.time}  ${src} > ${dst}  ${text}` };
        });
        if (a.json) printJson({ file: a.file, format: cap.format, frames: rows.map((r) => r.row), report: dec.report });
        else for (const r of rows) printLine(r.line);
      },
    )
    .command(
      'decrypt <in>',
      'write a copy of a capture in which every MACsec frame that verifies is replaced by its cleartext',
      (c) =>
        keyOptions(
          c
            .positional('in', { type: 'string', demandOption: true, describe: 'pcap or pcapng file' })
            .option('out', { type: 'string', demandOption: true, describe: 'file to write: pcapng if its name ends in .pcapng, pcap if in .pcap, else the format of IN' }),
        ),
      (a) => {
        const cap = readCapture(a.in as string, 'IN');
        const { sas, cas } = loadKeys(a as KeyArgs, true);
        if (!sas.length && !cas.length) throw new CliError('usage', 'no keys: give --sa (with --cipher), --ckn with --cak-file (or --cak), or --keys');
        const keys = mkaKeySource(cas);
        const dec = decryptFrames(cap.frames, sas, keys.hook);
        const format = writeCapture(a.out as string, cap, dec.frames);
        const report = { in: a.in, out: a.out, format, ...dec.report, icvErrors: keys.icvErrors() };
        if (a.json) printJson(report);
        else {
          printLine(
            `${a.out} (${format}): ${report.frames} frames; ${report.decrypted} decrypted, ${report.icvFailed} ICV failed, ${report.noKey} without a key, ` +
              `${report.malformed} malformed, ${report.notMacsec} not MACsec (${report.mkpdus} MKPDUs); ${report.saks} SAKs unwrapped`,
          );
          if (report.icvErrors) note(`warning: ${report.icvErrors} MKPDUs did not verify with any given CAK`);
        }
      },
    )
    .command(
      'encrypt <in>',
      'protect the frames of a capture with the given SAs (to build test captures)',
      (c) =>
        c
          .positional('in', { type: 'string', demandOption: true, describe: 'pcap or pcapng file' })
          .option('out', { type: 'string', demandOption: true, describe: 'file to write: pcapng if its name ends in .pcapng, pcap if in .pcap, else the format of IN' })
          .option('cipher', { type: 'string', demandOption: true, describe: 'gcm-aes-128, gcm-aes-256, gcm-aes-xpn-128 or gcm-aes-xpn-256' })
          .option('sa', { type: 'string', array: true, demandOption: true, describe: 'sci=<16 hex>,an=<0-3>,sak=<hex>[,ssci=N,salt=<24 hex>,pn=<first PN>]' })
          .option('integrity-only', { type: 'boolean', default: false, describe: 'E=C=0: authenticate without encrypting' })
          // yargs reads --no-sci as --sci=false.
          .option('sci', { type: 'boolean', default: true, describe: 'send the SCI; --no-sci sends none (ES=1, the receiver uses <MAC>/1)' })
          .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' }),
      (a) => {
        const cap = readCapture(a.in as string, 'IN');
        const { sas } = loadKeys({ cipher: a.cipher, sa: a.sa }, true);
        let result;
        try {
          result = encryptFrames(cap.frames, sas, { integrityOnly: a['integrity-only'], noSci: !a.sci });
        } catch (e) {
          if (e instanceof FormatError) throw new CliError('usage', e.message, { cause: e });
          throw e;
        }
        const format = writeCapture(a.out as string, cap, result.frames);
        if (a.json) printJson({ in: a.in, out: a.out, format, ...result.report });
        else printLine(`${a.out} (${format}): ${result.report.frames} frames; ${result.report.protected} protected, ${result.report.copied} copied unchanged`);
      },
    )
    .demandCommand(1, 'pcap needs a subcommand: inspect, decrypt or encrypt');
}
