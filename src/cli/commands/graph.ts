/**
 * `dxlab graph [TOPOLOGY] [--name LAB]`: a topology, or a running lab's, as
 * text, an SVG image, or `--format svg|png|dot|mermaid [--out FILE]`. PNG is
 * the SVG rasterized by rsvg-convert (librsvg, `scripts/setup.sh` installs
 * it): no browser needed.
 */
import type { Argv } from 'yargs';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { listLabs, loadTopology, readLabTopology, topologyDot, topologyMermaid, topologySvg, topologyWithoutKeys, type Topology } from '../../lab/index.js';
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
        .option('svg', { type: 'string', describe: 'write the topology as an SVG image to this file (same as --format svg --out FILE)' })
        .option('format', { choices: ['svg', 'png', 'dot', 'mermaid'] as const, describe: 'svg or png (an image), dot (Graphviz) or mermaid (a flowchart) to --out FILE, or the text ones to stdout' })
        .option('out', { type: 'string', describe: 'the file --format writes (png needs one)' })
        .option('json', { type: 'boolean', default: false, describe: 'the resolved topology as one JSON document' }),
    (a) => {
      if (a.out !== undefined && a.format === undefined) throw new CliError('usage', '--out needs --format svg|png|dot|mermaid');
      if (a.format !== undefined && (a.svg !== undefined || a.json)) throw new CliError('usage', '--format takes no --svg or --json');
      if (a.format === 'png' && a.out === undefined) throw new CliError('usage', '--format png needs --out FILE');
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
function draw(t: Topology, lab: string | undefined, a: { json?: boolean; svg?: string; format?: 'svg' | 'png' | 'dot' | 'mermaid'; out?: string }): void {
  if (a.json) return printJson(topologyWithoutKeys(t));
  if (a.format) return drawAs(t, a.format, a.out);
  if (a.svg) {
    writeFileSync(a.svg, topologySvg(t));
    note(`wrote ${a.svg}`);
    return;
  }
  printLine(renderGraph(t, lab));
}

/**
 * The picture in one format, to `out` or (text formats) stdout.
 * @throws CliError('failed') when rsvg-convert is missing or fails (png)
 */
function drawAs(t: Topology, format: 'svg' | 'png' | 'dot' | 'mermaid', out: string | undefined): void {
  if (format === 'png') {
    const r = spawnSync('rsvg-convert', ['--format', 'png', '--output', out!], { input: topologySvg(t), encoding: 'utf8', timeout: 60_000 });
    if (r.error) throw new CliError('failed', `--format png needs rsvg-convert (apt-get install librsvg2-bin; scripts/setup.sh installs it): ${r.error.message}`);
    if (r.status !== 0) throw new CliError('failed', `rsvg-convert could not write ${out}: ${r.stderr.trim()}`);
    return note(`wrote ${out}`);
  }
  const text = format === 'svg' ? topologySvg(t) : format === 'dot' ? topologyDot(t) : topologyMermaid(t);
  if (out === undefined) return process.stdout.write(text) as unknown as void;
  writeFileSync(out, text);
  note(`wrote ${out}`);
}
