/**
 * `dxlab keys generate|derive`.
 */
import type { Argv } from 'yargs';
import { randomBytes } from 'node:crypto';
import { fromHex, toHex } from '../../shared/bytes.js';
import { deriveIck, deriveKek } from '../../mka/index.js';
import { CAK_FILE_HELP, CAK_HELP, cknCakPairs } from '../cak-args.js';
import { CliError } from '../errors.js';
import { printJson, printLine } from '../output.js';

export function keysCommand(y: Argv): Argv {
  return y
    .command(
      'generate',
      'print a fresh CKN and CAK in the AWS format (64 hex digits each)',
      (c) => c.option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' }),
      (a) => {
        // AWS Direct Connect accepts only 32-octet CKNs and CAKs (AssociateMacSecKey).
        const ckn = toHex(randomBytes(32));
        const cak = toHex(randomBytes(32));
        if (a.json) printJson({ ckn, cak });
        else {
          printLine(`CKN ${ckn}`);
          printLine(`CAK ${cak}`);
        }
      },
    )
    .command(
      'derive',
      'print the ICK and KEK that a CKN/CAK pair gives (802.1X-2020 6.2.2): an explicit key export; --ckn HEX with --cak-file FILE (or --cak HEX)',
      (c) =>
        c
          .option('ckn', { type: 'string', demandOption: true, describe: 'CAK name, 1 to 32 octets of hex' })
          .option('cak', { type: 'string', describe: CAK_HELP })
          .option('cak-file', { type: 'string', describe: CAK_FILE_HELP, requiresArg: true })
          .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' }),
      (a) => {
        const [ca] = cknCakPairs(a, { max: 1 });
        if (!ca) throw new CliError('usage', 'derive needs --cak-file FILE (or --cak HEX)');
        const ckn = fromHex(ca.ckn);
        const cak = fromHex(ca.cak);
        // Exported on request: this command exists to print key material.
        const ick = toHex(deriveIck(cak, ckn).expose());
        const kek = toHex(deriveKek(cak, ckn).expose());
        if (a.json) printJson({ ckn: ca.ckn, ick, kek, cmac: cak.length === 32 ? 'AES-CMAC-256' : 'AES-CMAC-128' });
        else {
          printLine(`ICK ${ick}`);
          printLine(`KEK ${kek}`);
        }
      },
    )
    .demandCommand(1, 'keys needs a subcommand: generate or derive');
}
