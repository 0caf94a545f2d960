/** `dxlab exec NODE -- CMD`: a command in a node's namespace, or in a VM node's guest (its shell, over the node's control socket). */
import type { Argv } from 'yargs';
import { spawnSync } from 'node:child_process';
import { CliError } from '../errors.js';
import { controlRequest } from '../../node/index.js';
import { labState, nameOpt, nodeOf, wrap } from '../lab-context.js';

export function execCommand(y: Argv): Argv {
  return y.command(
    'exec <node> [cmd..]',
    "run a command in a node's namespace (dxlab exec router -- ping 169.254.100.2)",
    (c) => nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('cmd', { type: 'string', array: true })),
    async (a) => {
      const n = nodeOf(labState(a), String(a.node));
      // yargs leaves what follows `--` in `_`, after the verb.
      const cmd = [...((a.cmd as string[] | undefined) ?? []), ...a._.slice(1)].map(String);
      if (!cmd.length) throw new CliError('usage', 'give the command after --, e.g. dxlab exec router -- ip addr');
      if (n.runtime === 'qemu-vm') {
        // The guest's shell runs the words as one line (src/lab/runtimes/vm-node.ts `exec`); a minute at most, as a console command.
        const r = (await controlRequest(n.socket, { cmd: 'exec', line: cmd.join(' ') }, undefined, { node: n.name, timeoutMs: 70_000 }).catch(wrap)).result as { status: number; output: string };
        process.stdout.write(r.output);
        if (r.status !== 0) throw new CliError('failed', `${cmd.join(' ')} exited with ${r.status} in the guest of ${n.name}`);
        return;
      }
      const r = spawnSync('ip', ['netns', 'exec', n.netns, ...cmd.map(String)], { stdio: 'inherit' });
      if (r.status !== 0) throw new CliError('failed', `${cmd.join(' ')} exited with ${r.status ?? r.signal}`);
    },
  );
}
