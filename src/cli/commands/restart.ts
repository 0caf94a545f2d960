/** `dxlab restart NODE` and `dxlab kill NODE`: a node process stopped and started again, or killed for a fault exercise. */
import type { Argv } from 'yargs';
import { killNode, restartNode } from '../../lab/index.js';
import { labState, nameOpt, nodeOf, wrap } from '../lab-context.js';
import { printJson, printLine } from '../output.js';

/** `dxlab VERB <node> [--json]`: `act` on one node of the lab, its answer as JSON or as the line `line` makes of it. */
function nodeVerb<R>(y: Argv, verb: string, describe: string, act: (lab: string, node: string) => Promise<R>, line: (r: R) => string): Argv {
  return y.command(
    `${verb} <node>`,
    describe,
    (c) => nameOpt(c.positional('node', { type: 'string', demandOption: true })).option('json', { type: 'boolean', default: false }),
    async (a) => {
      const s = labState(a);
      const n = nodeOf(s, String(a.node));
      const r = await act(s.lab, n.name).catch(wrap);
      if (a.json) return printJson(r);
      printLine(line(r));
    },
  );
}

export function restartCommand(y: Argv): Argv {
  return nodeVerb(y, 'restart', 'stop a node (SIGTERM) and start it again with the same config in its namespace; waits until it answers', restartNode, (r) =>
    `${r.node} restarted: ${r.stoppedPids.length ? `pid ${r.stoppedPids.join(', ')} stopped, ` : 'it was not running, '}pid ${r.pid} answers on its control socket`,
  );
}

export function killCommand(y: Argv): Argv {
  return nodeVerb(y, 'kill', 'SIGKILL a node, for fault exercises (its peers find out when their MKA Life Time runs out); dxlab restart brings it back', killNode, (r) =>
    r.killed ? `${r.node} killed (SIGKILL to pid ${r.pids.join(', ')}); dxlab restart ${r.node} brings it back` : `${r.node} was not running; dxlab restart ${r.node} starts it`,
  );
}
