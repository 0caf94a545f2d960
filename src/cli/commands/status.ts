/** `dxlab status` (inspect): the nodes of a lab, their MACsec ports and BGP sessions. */
import type { Argv } from 'yargs';
import { controlRequest, type CaptureInfo } from '../../node/index.js';
import type { KayStatus } from '../../mka/index.js';
import { labState, nameOpt } from '../lab-context.js';
import { printJson, printLine, table } from '../output.js';

export function statusCommand(y: Argv): Argv {
  return y.command(
    ['status', 'inspect'],
    'nodes of the lab: processes, MACsec ports, BGP sessions',
    (c) => nameOpt(c).option('json', { type: 'boolean', default: false }),
    async (a) => {
      const s = labState(a);
      const nodes = await Promise.all(
        s.nodes.map(async (n) => {
          try {
            const st = (await controlRequest(n.socket, { cmd: 'status' }, undefined, { node: n.name })).result as { ports: Array<{ name: string; kind: string; kay?: KayStatus; bgp?: unknown; captures?: CaptureInfo[] }> };
            return { name: n.name, kind: n.kind, pid: n.pid, running: true, ports: st.ports.map((p) => ({ name: p.name, kind: p.kind, secured: p.kay?.secured ?? null, controlledPort: p.kay?.controlledPort ?? null, code: p.kay?.notSecured?.code ?? null, reason: p.kay?.notSecured?.reason ?? null, captures: p.captures ?? [] })) };
          } catch (e) {
            return { name: n.name, kind: n.kind, pid: n.pid, running: false, error: (e as Error).message, ports: [] };
          }
        }),
      );
      if (a.json) printJson({ lab: s.lab, topology: s.topology, nodes });
      else {
        printLine(`lab ${s.lab} (${s.topology})`);
        printLine(table([['node', 'kind', 'pid', 'port', 'MACsec'], ...nodes.flatMap((n) => (n.ports.length ? n.ports.map((p) => [n.name, n.kind, String(n.pid), p.name, p.kind === 'macsec' ? `${p.secured ? 'secured' : p.controlledPort}${p.reason ? ` (${p.reason})` : ''}` : 'plain']) : [[n.name, n.kind, String(n.pid), '-', n.running ? '-' : 'not running']]))]));
        for (const n of nodes) for (const p of n.ports) for (const c of p.captures) printLine(`capturing ${n.name} ${p.name} (${c.side}) to ${c.path}, ${c.frames} frames`);
      }
    },
  );
}
