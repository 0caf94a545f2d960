/**
 * `dxlab docker start DIR` / `dxlab docker stop DIR`: a private Docker
 * engine for the docker runtime (src/lab/docker/daemon.ts), its data root,
 * exec root, pidfile and socket all under DIR; `start` prints the
 * DXLAB_DOCKER_HOST to use with it.
 */
import type { Argv } from 'yargs';
import { startDockerd, stopDockerd } from '../../lab/index.js';
import { wrap } from '../lab-context.js';
import { note, printLine } from '../output.js';

export function dockerCommand(y: Argv): Argv {
  const dirArg = (c: Argv) => c.positional('dir', { type: 'string', demandOption: true, describe: 'the folder the engine keeps everything in (made if missing)' });
  return y
    .command(
      'start <dir>',
      'start a private dockerd on DIR (no bridge, no iptables rules) unless it runs; print its DXLAB_DOCKER_HOST',
      dirArg,
      async (a) => {
        const d = await startDockerd(a.dir as string).catch(wrap);
        printLine(`DXLAB_DOCKER_HOST=${d.host}`);
        note(`dockerd pid ${d.pid}; dxlab docker stop ${a.dir as string} stops it`);
      },
    )
    .command('stop <dir>', 'stop the private dockerd of DIR (its containers with it)', dirArg, async (a) => {
      const was = await stopDockerd(a.dir as string).catch(wrap);
      printLine(was ? 'stopped' : 'not running');
    })
    .demandCommand(1, 'give a subcommand: start or stop');
}
