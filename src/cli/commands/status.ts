/** `dxlab status` (inspect): the nodes of a lab, their ports with mode and MACsec state, its supervisor and services, the BGP sessions. */
import type { Argv } from 'yargs';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { SUPERVISOR_LOG, labDir, processAlive, recordedSupervisorRuns } from '../../lab/index.js';
import { controlRequest } from '../../node/index.js';
import { labState, nameOpt } from '../lab-context.js';
import { printJson, printLine } from '../output.js';
import { exitText, renderLabStatus, summarizeNode, type HostSummary, type NodeStatusAnswer, type ServiceSummary, type SupervisorSummary } from '../render.js';

export function statusCommand(y: Argv): Argv {
  return y.command(
    ['status', 'inspect'],
    'nodes of the lab: processes, ports with encryption mode and MACsec state, BGP sessions with state and prefixes',
    (c) => nameOpt(c).option('json', { type: 'boolean', default: false }),
    async (a) => {
      const s = labState(a);
      const nodes = await Promise.all(
        s.nodes.map(async (n) => {
          const supervised = { ...(n.restart ? { restart: n.restart } : {}), ...(n.restarts ? { restarts: n.restarts } : {}), ...(n.exited ? { exited: n.exited } : {}) };
          // A killed node's socket file is still there; the state file says why nothing answers.
          if (n.killedAt) return { ...summarizeNode(n, new Error(`killed by dxlab kill at ${n.killedAt}; dxlab restart ${n.name} brings it back`)), ...supervised };
          const answer = await controlRequest(n.socket, { cmd: 'status' }, undefined, { node: n.name }).then(
            (r) => r.result as NodeStatusAnswer,
            (e: Error) => e,
          );
          // Not answering after the supervisor saw its process end: say how it ended, and when it comes back.
          const why = answer instanceof Error && n.exited ? new Error(`exited: ${exitText(n.exited)} at ${n.exited.at}${n.restartAt ? `; restart: ${n.restart} brings it back at ${n.restartAt}` : `; restart: ${n.restart ?? 'never'}, dxlab restart ${n.name} brings it back`}`) : answer;
          return { ...summarizeNode(n, why, (tap) => n.taps.find((t) => t.name === tap)?.vif), ...supervised };
        }),
      );
      // What a node's kind says about it (kinds/*.ts statusNote), e.g. AWS's rules lifted on a DX device.
      const notes = s.nodes.flatMap((n) => (n.note ? [n.note] : []));
      const dirs = [labDir(s.lab), ...(existsSync(labDir(s.lab)) ? [realpathSync(labDir(s.lab))] : [])];
      const supervisor: SupervisorSummary | null = s.supervisor
        ? { pid: s.supervisor.pid, running: recordedSupervisorRuns(s.lab, dirs, s.supervisor), startedAt: s.supervisor.startedAt, socket: s.supervisor.socket, log: join(labDir(s.lab), SUPERVISOR_LOG) }
        : null;
      const services: ServiceSummary[] = (s.services ?? []).map((x) => ({ ...x, running: processAlive(x.pid) }));
      // One host's part of a lab across hosts: its tunnels to the others.
      const host: HostSummary | undefined = s.host ? { name: s.host.name, tunnels: s.links.flatMap((l) => (l.vxlan ? [{ a: l.a, b: l.b, ...l.vxlan }] : [])) } : undefined;
      if (a.json) printJson({ lab: s.lab, topology: s.topology, ...(host ? { host } : {}), supervisor, services, nodes, ...(notes.length ? { notes } : {}) });
      else printLine([renderLabStatus({ lab: s.lab, topology: s.topology, nodes, supervisor, services, ...(host ? { host } : {}) }), ...notes].join('\n'));
    },
  );
}
