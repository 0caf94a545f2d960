/** `dxlab up TOPOLOGY` (deploy): build a lab from a topology file and start its nodes. */
import type { Argv } from 'yargs';
import { CRYPTO_CHOICES } from '../../io/index.js';
import { PhaseTimer, formatTimings, labUp, loadTopology, withDefaultRuntime } from '../../lab/index.js';
import { topologyPath, wrap } from '../lab-context.js';
import { note, printJson, printLine, table } from '../output.js';
import { CliError } from '../errors.js';
import { QUOTA_HELP, quotaOption } from '../quota-option.js';

export function upCommand(y: Argv): Argv {
  return y.command(
    ['up [topology]', 'deploy'],
    'build a lab from a topology file and start its nodes',
    (c) =>
      c
        .positional('topology', { type: 'string', describe: 'topology file (default: the one *.yaml here)' })
        .option('topo', { alias: 't', type: 'string', describe: 'topology file (same as the positional)' })
        .option('name', { type: 'string', describe: "lab name (default: the topology's name)" })
        .option('crypto', { choices: CRYPTO_CHOICES, describe: 'AES-GCM engine of every node: native (the fastest of the addon: ipsec-mb, else openssl), or one forced (default: native where the addon loads)' })
        .option('on-host', { type: 'string', describe: "bring up only this host's part of a lab across hosts (topology.hosts; the other hosts' parts are brought up there)" })
        .option('runtime', { type: 'string', describe: 'node runtime of every node the topology gives none (netns-process, docker)' })
        .option('api', { type: 'boolean', default: true, describe: "host the AWS API for the lab in its supervisor (--no-api: do not)" })
        .option('api-quota', { type: 'string', array: true, describe: `the lab API's quotas, as dxlab api serve --quota: ${QUOTA_HELP}` })
        .option('ui', { type: 'boolean', default: false, describe: 'serve the web view of the lab from its supervisor and print its URL (dxlab ui)' })
        .option('timings', { type: 'boolean', default: false, describe: 'print how long each step took, in milliseconds, on stderr' })
        .option('json', { type: 'boolean', default: false }),
    async (a) => {
      const timings = a.timings ? new PhaseTimer() : undefined;
      // Milliseconds since this process began: Node.js and the command line's modules.
      timings?.add('dxlab: Node.js start and module loading', performance.now());
      // Checked before anything is made; the supervisor takes them as `--quota`.
      const apiQuotas = (a.apiQuota ?? []).map(String);
      quotaOption(apiQuotas, '--api-quota');
      if (apiQuotas.length && !a.api) throw new CliError('usage', '--api-quota: the lab has no API to raise quotas of (--no-api)');
      const supervisorArgs = [...(a.api ? [] : ['--no-api']), ...(a.ui ? ['--ui'] : []), ...apiQuotas.flatMap((q) => ['--quota', q])];
      const file = topologyPath(a);
      const topo = (() => {
        try {
          const t = loadTopology(file);
          return a.runtime ? withDefaultRuntime(t, a.runtime) : t;
        } catch (e) {
          return wrap(e);
        }
      })();
      timings?.lap('topology read and checked');
      const tty = process.stderr.isTTY && !a.json;
      const state = await labUp(topo, a.name ?? topo.name, (step) => tty && note(`  ${step}`), { warn: (line) => note(`warning: ${line}`), ...(a.onHost !== undefined ? { onHost: a.onHost } : {}), ...(a.crypto ? { crypto: a.crypto } : {}), ...(supervisorArgs.length ? { supervisorArgs } : {}), ...(timings ? { timings } : {}) }).catch(wrap);
      if (timings && !a.json) for (const l of formatTimings(timings.phases)) note(l);
      if (a.json) printJson(timings ? { ...state, timings: timings.phases } : state);
      else {
        printLine(table([['node', 'kind', 'netns', 'pid', 'VIF TAPs'], ...state.nodes.map((n) => [n.name, n.kind, n.netns, String(n.pid), n.taps.map((t) => `${t.name} ${t.vlan !== undefined ? `vlan${t.vlan}` : 'untagged'} ${t.addresses.join(' ')}`).join('; ') || '-'])]));
        if (state.supervisor) printLine(`supervisor pid ${state.supervisor.pid}${(state.services ?? []).map((x) => `; ${x.name} ${x.url}`).join('')}`);
        note(`lab ${state.lab} is up: dxlab status --name ${state.lab}; dxlab down ${state.lab}`);
      }
    },
  );
}
