/** `dxlab show mka|macsec|bgp|counters NODE [PORT]`: one node, as a router shows it. */
import type { Argv } from 'yargs';
import type { KayStatus } from '../../mka/index.js';
import { ask, labState, nameOpt, nodeOf } from '../lab-context.js';
import { printJson, printLine, table } from '../output.js';

export function showCommand(y: Argv): Argv {
  return y.command(
    'show <what> <node> [port]',
    'mka, macsec, bgp or counters of a node, as a router shows them',
    (c) =>
      nameOpt(
        c
          .positional('what', { choices: ['mka', 'macsec', 'bgp', 'counters'] as const })
          .positional('node', { type: 'string', demandOption: true })
          .positional('port', { type: 'string' }),
      ).option('json', { type: 'boolean', default: false }),
    async (a) => {
      const s = labState(a);
      const n = nodeOf(s, String(a.node));
      const cmd = a.what === 'counters' ? 'counters' : a.what === 'bgp' ? 'bgp' : 'status';
      const r = (await ask(n.socket, { cmd, ...(a.port ? { port: a.port } : {}) })) as Record<string, any>;
      if (a.json) return printJson(r);
      const ports: Array<Record<string, any>> = r.ports ?? [r];
      for (const p of ports) {
        if (a.what === 'mka') {
          const k = p.kay as KayStatus | undefined;
          if (!k) continue;
          printLine(`${n.name} ${p.name}: MKA ${k.secured ? 'Secured' : 'Not secured'}, mode ${k.mode}, controlled port ${k.controlledPort}${k.notSecured ? ` (${k.notSecured.code}: ${k.notSecured.reason})` : ''}`);
          for (const part of k.participants) {
            printLine(`  CKN ${part.ckn} ${part.principal ? '(principal)' : ''}`);
            printLine(`    Local MI ${part.mi}  MN ${part.mn}  Key server ${part.keyServer ? (part.keyServer.self ? 'yes' : `no (${part.keyServer.sci})`) : '-'}`);
            printLine(table([['  Peer', 'SCI', 'MI', 'MN', 'State'], ...part.livePeers.map((x) => ['', x.sci, x.mi, String(x.mn), 'live']), ...part.potentialPeers.map((x) => ['', x.sci, x.mi, String(x.mn), 'potential'])]));
          }
          if (k.sak) printLine(`  Latest SAK: KN ${k.sak.kn} AN ${k.sak.an} ${k.sak.cipherSuite} tx ${k.sak.transmitting ? 'yes' : 'no'} rx ${k.sak.receiving ? 'yes' : 'no'}${k.oldSak ? `; old KN ${k.oldSak.kn} AN ${k.oldSak.an}` : ''}`);
          printLine(`  Key chain: ${k.keyChain.reason}`);
        } else if (a.what === 'macsec') {
          if (p.kind !== 'macsec') continue;
          printLine(`${n.name} ${p.name}: SCI ${p.sci}  cipher ${p.cipherSuite}  encoding AN ${p.encodingAn ?? '-'}  controlled port ${p.controlledPort}`);
        } else if (a.what === 'counters') {
          printLine(`${n.name} ${p.name}`);
          const rows: string[][] = [];
          const add = (prefix: string, o: Record<string, unknown> | undefined) => o && Object.entries(o).forEach(([k, v]) => typeof v === 'number' && rows.push([`${prefix}${k}`, String(v)]));
          add('', p.secy?.secy);
          add('', p.secy?.txSc);
          for (const sc of p.secy?.rxScs ?? []) add('rx SC: ', sc);
          add('mka: ', p.mka);
          add('port: ', p.port);
          printLine(table(rows).replace(/^/gm, '  '));
        } else {
          printLine(JSON.stringify(p, null, 2));
        }
      }
    },
  );
}
