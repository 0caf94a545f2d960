/** `dxlab demo`: AWS topology 2 from one command, then torn down. */
import type { Argv } from 'yargs';
import { runDemo } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { wrap } from '../lab-context.js';
import { note, printJson, printLine } from '../output.js';
import { renderDemo } from '../render.js';

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
        printLine(renderDemo(r));
        if (r.leftover.length) note(`left behind: ${r.leftover.join(', ')}`);
      }
      if (r.bgpState !== 'Established' || r.pingLossPct !== 0 || r.leftover.length) throw new CliError('failed', `demo: BGP ${r.bgpState}, ping loss ${r.pingLossPct}%${r.leftover.length ? `, left behind: ${r.leftover.join(', ')}` : ''}`);
    },
  );
}
