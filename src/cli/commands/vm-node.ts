/** `dxlab vm-node --config FILE`: a VM node's process (the qemu-vm runtime starts it in the node's namespace; src/lab/runtimes/vm-node.ts). */
import type { Argv } from 'yargs';
import { runVmNode } from '../../lab/index.js';
import { wrap } from '../lab-context.js';

export function vmNodeCommand(y: Argv): Argv {
  return y.command(
    'vm-node',
    false,
    (c) => c.option('config', { type: 'string', demandOption: true, describe: 'the node configuration the lab wrote' }),
    async (a) => {
      await runVmNode(String(a.config)).catch(wrap);
    },
  );
}
