/**
 * `dxlab keys generate|derive`.
 */
import type { Argv } from 'yargs';
import { randomBytes } from 'node:crypto';
import { toHex } from '../../shared/bytes.js';
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
    .demandCommand(1, 'keys needs a subcommand: generate');
}
