/** `dxlab down [LAB]` (destroy): stop a lab and remove everything it created. */
import type { Argv } from 'yargs';
import { labDown } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { labName, wrap } from '../lab-context.js';
import { note, printJson, printLine } from '../output.js';

export function downCommand(y: Argv): Argv {
  return y.command(
    ['down [lab]', 'destroy'],
    'stop a lab and remove everything it created',
    (c) =>
      c
        .positional('lab', { type: 'string' })
        .option('name', { type: 'string', describe: 'lab name (default: the only running lab, when you started it from this checkout)' })
        .option('json', { type: 'boolean', default: false }),
    async (a) => {
      const name = labName(a, { own: true });
      const r = await labDown(name).catch(wrap);
      for (const n of r.notes) note(n);
      if (a.json) printJson({ lab: name, ...r });
      else printLine(r.removed.length ? `removed ${r.removed.join(', ')}` : `nothing of lab ${name} was left`);
      if (r.leftover.length) throw new CliError('failed', `still present: ${r.leftover.join(', ')}`);
    },
  );
}
