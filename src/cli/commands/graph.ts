/** `dxlab graph [TOPOLOGY]`: the topology as text or an SVG image. */
import type { Argv } from 'yargs';
import { existsSync, writeFileSync } from 'node:fs';
import { loadTopology, topologySvg } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { topologyPath, wrap } from '../lab-context.js';
import { note, printJson, printLine } from '../output.js';

export function graphCommand(y: Argv): Argv {
  return y.command(
    'graph [topology]',
    'the topology as text, or as an SVG image (--svg FILE)',
    (c) =>
      c
        .positional('topology', { type: 'string' })
        .option('topo', { alias: 't', type: 'string' })
        .option('svg', { type: 'string', describe: 'write the topology as an SVG image to this file' })
        .option('json', { type: 'boolean', default: false }),
    (a) => {
      const file = topologyPath(a);
      if (!existsSync(file)) throw new CliError('usage', `no topology file ${file}`);
      const t = (() => {
        try {
          return loadTopology(file);
        } catch (e) {
          return wrap(e);
        }
      })();
      if (a.json) return printJson(t);
      if (a.svg) {
        writeFileSync(a.svg, topologySvg(t));
        note(`wrote ${a.svg}`);
        return;
      }
      printLine(`${t.name}`);
      for (const n of t.nodes) printLine(`  [${n.name}] ${n.kind}`);
      for (const l of t.links) printLine(`  ${l.a.node}:${l.a.port} ${l.macsec ? '==MACsec==' : '----------'} ${l.b.node}:${l.b.port}`);
      for (const v of t.vifs) printLine(`  VIF ${v.name}: VLAN ${v.vlan}, ${v.ends[0].node} ${v.ipv4[0]} <-> ${v.ends[1].node} ${v.ipv4[1]}${v.bgp ? `, BGP AS${v.bgp.customerAsn} <-> AS${v.bgp.amazonAsn}` : ''}`);
    },
  );
}
