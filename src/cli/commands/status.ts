/** `dxlab status` (inspect): the nodes of a lab, their ports with mode and MACsec state, their BGP sessions. */
import type { Argv } from 'yargs';
import { controlRequest } from '../../node/index.js';
import { labState, nameOpt } from '../lab-context.js';
import { printJson, printLine } from '../output.js';
import { renderLabStatus, summarizeNode, type NodeStatusAnswer } from '../render.js';

export function statusCommand(y: Argv): Argv {
  return y.command(
    ['status', 'inspect'],
    'nodes of the lab: processes, ports with encryption mode and MACsec state, BGP sessions with state and prefixes',
    (c) => nameOpt(c).option('json', { type: 'boolean', default: false }),
    async (a) => {
      const s = labState(a);
      const nodes = await Promise.all(
        s.nodes.map(async (n) => {
          // A killed node's socket file is still there; the state file says why nothing answers.
          if (n.killedAt) return summarizeNode(n, new Error(`killed by dxlab kill at ${n.killedAt}; dxlab restart ${n.name} brings it back`));
          const answer = await controlRequest(n.socket, { cmd: 'status' }, undefined, { node: n.name }).then(
            (r) => r.result as NodeStatusAnswer,
            (e: Error) => e,
          );
          return summarizeNode(n, answer, (tap) => n.taps.find((t) => t.name === tap)?.vif);
        }),
      );
      // What a node's kind says about it (kinds/*.ts statusNote), e.g. AWS's rules lifted on a DX device.
      const notes = s.nodes.flatMap((n) => (n.note ? [n.note] : []));
      if (a.json) printJson({ lab: s.lab, topology: s.topology, nodes, ...(notes.length ? { notes } : {}) });
      else printLine([renderLabStatus({ lab: s.lab, topology: s.topology, nodes }), ...notes].join('\n'));
    },
  );
}
