/** `dxlab graph [TOPOLOGY] [--name LAB]`: a topology, or a running lab's, as text or an SVG image. */
import type { Argv } from 'yargs';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { listLabs, loadTopology, readLabTopology, topologySvg, topologyWithoutKeys, type Topology } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { labState, wrap } from '../lab-context.js';
import { note, printJson, printLine } from '../output.js';
import { renderGraph } from '../render.js';

const USAGE = 'dxlab graph TOPOLOGY (e.g. dxlab graph topologies/router-dx.yaml) or dxlab graph --name LAB for a running lab';

/**
 * The topology file to draw: the one named (positional or -t), else the one
 * the lab --name was built from (its state file records it), else the one
 * *.yaml in the current folder, else the only running lab's.
 * @throws CliError('usage') when none of these gives exactly one, saying how graph is used.
 */
function graphSource(a: { topology?: string; topo?: string; name?: string }): { file: string; lab?: string } {
  const given = a.topology ?? a.topo;
  if (given) {
    if (a.name) throw new CliError('usage', 'give a topology file or --name LAB, not both');
    return { file: given };
  }
  if (a.name) return { file: labState(a).topology, lab: a.name };
  const here = readdirSync('.').filter((f) => /\.ya?ml$/.test(f) && f !== 'docker-compose.yml');
  if (here.length === 1) return { file: here[0]! };
  if (here.length > 1) throw new CliError('usage', `several *.yaml here (${here.join(', ')}): name one, ${USAGE}`);
  const labs = listLabs();
  if (labs.length === 1) return { file: labState({ name: labs[0] }).topology, lab: labs[0] };
  throw new CliError('usage', labs.length ? `several labs run (${labs.join(', ')}): give --name LAB, or a topology file` : `nothing to draw: ${USAGE}`);
}

export function graphCommand(y: Argv): Argv {
  return y.command(
    'graph [topology]',
    "a topology, or a running lab's (--name), as text, or as an SVG image (--svg FILE)",
    (c) =>
      c
        .positional('topology', { type: 'string', describe: 'topology file (default: the one *.yaml here, else the only running lab)' })
        .option('topo', { alias: 't', type: 'string', describe: 'topology file (same as the positional)' })
        .option('name', { type: 'string', describe: 'draw the topology this running lab was built from' })
        .option('svg', { type: 'string', describe: 'write the topology as an SVG image to this file' })
        .option('json', { type: 'boolean', default: false, describe: 'the resolved topology as one JSON document' }),
    (a) => {
      const { file, lab } = graphSource(a);
      // A running lab draws the topology it was built from, as resolved then (a link lab has no file).
      const own = lab ? readLabTopology(lab) : undefined;
      if (own) return draw(own, lab, a);
      if (!existsSync(file)) throw new CliError('usage', lab ? `lab ${lab} was built from ${file}, which is gone` : `no topology file ${file}`);
      const t = (() => {
        try {
          return loadTopology(file);
        } catch (e) {
          return wrap(e);
        }
      })();
      draw(t, lab, a);
    },
  );
}

/** As text, as an SVG file, or as JSON; no form shows a CAK or a TCP MD5 key. */
function draw(t: Topology, lab: string | undefined, a: { json?: boolean; svg?: string }): void {
  if (a.json) return printJson(topologyWithoutKeys(t));
  if (a.svg) {
    writeFileSync(a.svg, topologySvg(t));
    note(`wrote ${a.svg}`);
    return;
  }
  printLine(renderGraph(t, lab));
}
