/** `dxlab down [LAB]` (destroy): stop a lab and remove everything it created. */
import type { Argv } from 'yargs';
import { PhaseTimer, formatTimings, labDown } from '../../lab/index.js';
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
        .option('timings', { type: 'boolean', default: false, describe: 'print how long each step took, in milliseconds, on stderr' })
        .option('json', { type: 'boolean', default: false }),
    async (a) => {
      const timings = a.timings ? new PhaseTimer() : undefined;
      timings?.add('dxlab: Node.js start and module loading', performance.now());
      const name = labName(a, { own: true });
      const r = await labDown(name, timings ? { timings } : {}).catch(wrap);
      for (const n of r.notes) note(n);
      if (timings && !a.json) for (const l of formatTimings(timings.phases)) note(l);
      if (a.json) printJson({ lab: name, ...r, ...(timings ? { timings: timings.phases } : {}) });
      else printLine(r.removed.length ? `removed ${r.removed.join(', ')}` : `nothing of lab ${name} was left`);
      if (r.leftover.length) throw new CliError('failed', `still present: ${r.leftover.join(', ')}`);
    },
  );
}
