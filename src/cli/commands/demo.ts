/** `dxlab demo`: AWS topology 2 from one command, then torn down. */
import type { Argv } from 'yargs';
import { runDemo } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { wrap } from '../lab-context.js';
import { note, printJson, printLine, table } from '../output.js';

export function demoCommand(y: Argv): Argv {
  return y.command(
    'demo',
    'AWS topology 2 from one command: MKA, BGP over MACsec, a ping, captures; then tear down',
    (c) =>
      c
        .option('name', { type: 'string', describe: 'lab name (default: demo, or demo-2 ... demo-9 when that is taken; a lab found running is never torn down)' })
        .option('keep', { type: 'boolean', default: false, describe: 'leave the lab running (dxlab down NAME)' })
        .option('json', { type: 'boolean', default: false }),
    async (a) => {
      const r = await runDemo({ ...(a.name !== undefined ? { lab: a.name } : {}), keep: a.keep, progress: a.json ? undefined : (s) => note(s) }).catch(wrap);
      if (a.json) printJson(r);
      else {
        printLine('captures:');
        for (const c of r.captures) printLine(`  ${c.side.padEnd(9)} ${c.path}`);
        printLine(`keys (secrets): ${r.keys}`);
        printLine('');
        printLine('Open the decrypted copy in any Wireshark: MACsec frames replaced by their cleartext (ARP, BGP, ICMP).');
        printLine('The wire capture shows MACsec and EAPOL-MKA only. Wireshark 4.0 (Debian 12) decrypts no MACsec;');
        printLine('4.4 takes one 16-octet static key; 4.6 takes a SAK table (the .wireshark-macsec-keys.txt file) and a');
        printLine('CKN/CAK table, but not 32-octet CAKs, and no released Wireshark decrypts GCM-AES-XPN-256, which this');
        printLine('lab uses as AWS does. `dxlab pcap decrypt WIRE --keys KEYS --out OUT` writes the decrypted copy again.');
        if (r.kept) printLine(`\nthe lab is still up: dxlab status --name ${r.lab}; dxlab down ${r.lab}`);
        if (r.leftover.length) note(`left behind: ${r.leftover.join(', ')}`);
      }
      if (r.bgpState !== 'Established' || r.pingLossPct !== 0 || r.leftover.length) throw new CliError('failed', `demo: BGP ${r.bgpState}, ping loss ${r.pingLossPct}%${r.leftover.length ? `, left behind: ${r.leftover.join(', ')}` : ''}`);
    },
  );
}
