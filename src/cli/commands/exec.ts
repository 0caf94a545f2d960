/** `dxlab exec NODE -- CMD`: a command in a node's namespace. */
import type { Argv } from 'yargs';
import { spawnSync } from 'node:child_process';
import { CliError } from '../errors.js';
import { labState, nameOpt, nodeOf } from '../lab-context.js';

export function execCommand(y: Argv): Argv {
  return y.command(
    'exec <node> [cmd..]',
    "run a command in a node's namespace (dxlab exec router -- ping 169.254.100.2)",
    (c) => nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('cmd', { type: 'string', array: true })),
    (a) => {
      const n = nodeOf(labState(a), String(a.node));
      // yargs leaves what follows `--` in `_`, after the verb.
      const cmd = [...((a.cmd as string[] | undefined) ?? []), ...a._.slice(1)].map(String);
      if (!cmd.length) throw new CliError('usage', 'give the command after --, e.g. dxlab exec router -- ip addr');
      const r = spawnSync('ip', ['netns', 'exec', n.netns, ...cmd.map(String)], { stdio: 'inherit' });
      if (r.status !== 0) throw new CliError('failed', `${cmd.join(' ')} exited with ${r.status ?? r.signal}`);
    },
  );
}
