/** `dxlab show mka|macsec|bgp|counters NODE [PORT]`: one node, as a router shows it. */
import type { Argv } from 'yargs';
import type { BgpPeerStatus } from '../../node/index.js';
import { CliError } from '../errors.js';
import { ask, labState, nameOpt, nodeOf } from '../lab-context.js';
import { printJson, printLine } from '../output.js';
import { macsecPorts, renderBgp, renderCounters, renderInPathCounters, renderMacsec, renderMka, type NodeStatusAnswer, type PortStatusAnswer } from '../render.js';

export function showCommand(y: Argv): Argv {
  return y.command(
    'show <what> <node> [port]',
    'mka, macsec, bgp or counters of a node, as a router shows them',
    (c) =>
      nameOpt(
        c
          .positional('what', { choices: ['mka', 'macsec', 'bgp', 'counters'] as const })
          .positional('node', { type: 'string', demandOption: true })
          .positional('port', { type: 'string', describe: 'only this port (bgp: the sessions on its VIFs)' }),
      ).option('json', { type: 'boolean', default: false }),
    async (a) => {
      const s = labState(a);
      const n = nodeOf(s, String(a.node));
      const port = a.port as string | undefined;
      const portOf = (r: NodeStatusAnswer | PortStatusAnswer): PortStatusAnswer[] => ('ports' in r && Array.isArray(r.ports) ? r.ports : [r as PortStatusAnswer]);
      if (a.what === 'bgp') {
        let peers = ((await ask(n.socket, { cmd: 'bgp' })) as { peers: BgpPeerStatus[] }).peers;
        if (port) {
          const taps = new Set((portOf((await ask(n.socket, { cmd: 'status', port })) as PortStatusAnswer)[0]!.taps ?? []).map((t) => t.name));
          peers = peers.filter((p) => taps.has(p.tap));
        }
        if (a.json) return printJson({ peers });
        if (!peers.length) throw new CliError('failed', port ? `port ${port} of node ${n.name} runs no BGP session` : `node ${n.name} runs no BGP session`);
        return printLine(renderBgp(n.name, peers, (tap) => n.taps.find((t) => t.name === tap)?.vif));
      }
      const cmd = a.what === 'counters' ? 'counters' : 'status';
      const r = (await ask(n.socket, { cmd, ...(port ? { port } : {}) })) as NodeStatusAnswer | PortStatusAnswer;
      if (a.what === 'counters') {
        if (a.json) return printJson(r);
        const inPath = (r as { inPath?: Record<string, Record<string, unknown>> }).inPath;
        return printLine(renderCounters(n.name, portOf(r)) + (inPath ? `\n${renderInPathCounters(n.name, inPath)}` : ''));
      }
      const elsewhere = s.links.filter((l) => l.macsec).flatMap((l) => [l.a, l.b].map((end) => end.replace(':', ' ')));
      const ports = macsecPorts(n.name, portOf(r), port, elsewhere);
      if (a.json) return printJson(r);
      printLine(a.what === 'mka' ? renderMka(n.name, ports) : renderMacsec(n.name, ports));
    },
  );
}
