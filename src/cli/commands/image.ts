/**
 * `dxlab image build linux-peer`: builds the linux-peer guest image into the
 * cache (once per machine), showing debootstrap's progress;
 * `dxlab image check linux-peer`: boots it once under QEMU and shows what
 * the peer needs is there (the macsec driver, wpa_supplicant, BIRD) and how
 * long the boot took.
 */
import type { Argv } from 'yargs';
import { DEFAULT_MIRROR, GuestConsole, buildImage, buildNodeImage, findImage, labDockerHost } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { wrap } from '../lab-context.js';
import { note, printJson, printLine } from '../output.js';

const IMAGES = ['linux-peer', 'node'] as const;

/** The `<image>` argument both verbs take. */
const imageArg = (c: Argv) => c.positional('image', { type: 'string', choices: IMAGES, demandOption: true });

/** Seconds since `t0` (process.hrtime.bigint()), to the millisecond. */
const secondsSince = (t0: bigint) => Number((process.hrtime.bigint() - t0) / 1_000_000n) / 1000;

export function imageCommand(y: Argv): Argv {
  return y
    .command(
      'build <image>',
      'build an image unless it is there: linux-peer (a guest, into /var/cache/dxlab/images or DXLAB_IMAGE_CACHE) or node (the docker runtime\'s, on DXLAB_DOCKER_HOST)',
      (c) =>
        imageArg(c).option('mirror', { type: 'string', default: DEFAULT_MIRROR, describe: "Debian mirror debootstrap fetches from" }),
      async (a) => {
        const t0 = process.hrtime.bigint();
        if (a.image === 'node') {
          // The node image of the docker runtime, on the engine DXLAB_DOCKER_HOST names.
          const r = (() => {
            try {
              return buildNodeImage(labDockerHost(), (line) => note(line));
            } catch (e) {
              return wrap(e);
            }
          })();
          printLine(`${r.tag} (${r.built ? 'built' : 'built already'}, ${secondsSince(t0)} s)`);
          return;
        }
        const img = await buildImage((line) => note(line), a.mirror).catch(wrap);
        printLine(`${img.dir} (${secondsSince(t0)} s)`);
      },
    )
    .command(
      'check <image>',
      'boot a built guest image once and show its kernel, macsec driver and tools',
      (c) =>
        imageArg(c).option('json', { type: 'boolean', default: false, describe: 'one JSON document' }),
      async (a) => {
        if (a.image === 'node') throw new CliError('failed', 'check takes linux-peer; the node image is checked by dxlab up --runtime docker');
        const img = findImage();
        if (!img) throw new CliError('failed', 'image linux-peer is not built: run dxlab image build linux-peer');
        const t0 = process.hrtime.bigint();
        const g = await GuestConsole.boot(img).catch(wrap);
        const bootSeconds = secondsSince(t0);
        try {
          const ask = async (line: string): Promise<string> => (await g.run(line)).output.trim();
          const r = {
            image: img.dir,
            bootSeconds,
            kernel: await ask('uname -r'),
            macsecDriver: (await g.run('grep -qw ^macsec /proc/modules')).status === 0,
            ipMacsec: (await g.run('ip macsec show')).status === 0,
            wpaSupplicant: (await ask('wpa_supplicant -v | head -1')) || undefined,
            bird: (await ask('bird --version 2>&1 | head -1')) || undefined,
          };
          if (a.json) printJson(r);
          else for (const [k, v] of Object.entries(r)) printLine(`${k}: ${v}`);
          if (!r.macsecDriver || !r.ipMacsec) throw new CliError('failed', 'the guest has no working macsec driver');
        } finally {
          await g.shutdown();
        }
      },
    )
    .demandCommand(1, 'give a subcommand: build or check');
}
