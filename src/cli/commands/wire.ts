/** `dxlab wire cut|restore NODE:PORT`: a link's carrier down and up, as a pulled and replugged cable. */
import type { Argv } from 'yargs';
import { setWireCarrier } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { labState, nameOpt, nodeOf, wrap } from '../lab-context.js';
import { printJson, printLine } from '../output.js';

export function wireCommand(y: Argv): Argv {
  return y.command(
    'wire <action> <end>',
    "cut or restore a link: the wire of NODE:PORT down or up (both ends lose their carrier; MKA times out, and secures again once restored)",
    (c) =>
      nameOpt(c.positional('action', { choices: ['cut', 'restore'] as const, demandOption: true }).positional('end', { type: 'string', demandOption: true, describe: 'NODE:PORT' })).option('json', {
        type: 'boolean',
        default: false,
      }),
    async (a) => {
      const m = /^([^:]+):([^:]+)$/.exec(String(a.end));
      if (!m) throw new CliError('usage', `wire ${a.action}: give the link's end as NODE:PORT, got '${a.end}'`);
      const s = labState(a);
      const n = nodeOf(s, m[1]!);
      let r;
      try {
        r = setWireCarrier(s.lab, n.name, m[2]!, a.action === 'cut' ? 'down' : 'up');
      } catch (e) {
        return wrap(e);
      }
      if (a.json) return printJson(r);
      printLine(r.carrier === 'down' ? `${r.node}:${r.port}: wire ${r.wire} cut (carrier down on both ends); dxlab wire restore ${r.node}:${r.port} puts it back` : `${r.node}:${r.port}: wire ${r.wire} restored (carrier up)`);
    },
  );
}
