/**
 * `dxlab keys generate|derive`.
 */
import type { Argv } from 'yargs';
import { randomBytes } from 'node:crypto';
import { fromHex, toHex } from '../../shared/bytes.js';
import { FormatError } from '../../shared/errors.js';
import { deriveIck, deriveKek } from '../../mka/index.js';
import { caArgs } from '../../offline/index.js';
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
      'print the ICK and KEK that a CKN/CAK pair gives (802.1X-2020 6.2.2): an explicit key export',
      (c) =>
        c
          .option('ckn', { type: 'string', demandOption: true, describe: 'CAK name, 1 to 32 octets of hex' })
          .option('cak', { type: 'string', demandOption: true, describe: 'CAK, 32 or 64 hex digits' })
          .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' }),
      (a) => {
        let ca;
        try {
          [ca] = caArgs([a.ckn], [a.cak]);
        } catch (e) {
          if (e instanceof FormatError) throw new CliError('usage', e.message, { cause: e });
          throw e;
        }
        const ckn = fromHex(ca!.ckn);
        const cak = fromHex(ca!.cak);
        // Exported on request: this command exists to print key material.
        const ick = toHex(deriveIck(cak, ckn).expose());
        const kek = toHex(deriveKek(cak, ckn).expose());
        if (a.json) printJson({ ckn: ca!.ckn, ick, kek, cmac: cak.length === 32 ? 'AES-CMAC-256' : 'AES-CMAC-128' });
        else {
          printLine(`ICK ${ick}`);
          printLine(`KEK ${kek}`);
        }
      },
    )
    .demandCommand(1, 'keys needs a subcommand: generate or derive');
}
