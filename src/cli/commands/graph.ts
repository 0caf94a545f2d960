/**
 * `dxlab graph [TOPOLOGY] [--name LAB]`: a topology, or a running lab's, as
 * text, an SVG image, or `--format svg|png|dot|mermaid [--out FILE]`. PNG is
 * the SVG rasterized by rsvg-convert (librsvg, `scripts/setup.sh` installs
 * it): no browser needed. A running lab's picture shows each link's state
 * now (secured, negotiating, fallback, blocked, clear, down), as the web
 * view computes it from the nodes' status answers.
 */
import type { Argv } from 'yargs';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { listLabs, loadTopology, readLabState, readLabTopology, topologyDot, topologyMermaid, topologySvg, topologyWithoutKeys, type LabState, type LinkLive, type LiveStates, type Topology } from '../../lab/index.js';
import { controlRequest } from '../../node/index.js';
import { linkView, nodeView, type PortView } from '../../web/index.js';
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
    async (a) => {
      if (a.out !== undefined && a.format === undefined) throw new CliError('usage', '--out needs --format svg|png|dot|mermaid');
      if (a.format !== undefined && (a.svg !== undefined || a.json)) throw new CliError('usage', '--format takes no --svg or --json');
      if (a.format === 'png' && a.out === undefined) throw new CliError('usage', '--format png needs --out FILE');
      const { file, lab } = graphSource(a);
      // A running lab draws the topology it was built from, as resolved then (a link lab has no file).
      const own = lab ? readLabTopology(lab) : undefined;
      const running = lab ? readLabState(lab) : undefined;
      const live = running && !a.json ? await liveStates(running) : undefined;
      if (own) return draw(own, lab, a, live);
      if (!existsSync(file)) throw new CliError('usage', lab ? `lab ${lab} was built from ${file}, which is gone` : `no topology file ${file}`);
      const t = (() => {
        try {
          return loadTopology(file);
        } catch (e) {
          return wrap(e);
        }
      })();
      draw(t, lab, a, live);
    },
  );
}

/** How long a node has to answer `status` before its links are drawn down. */
const STATUS_TIMEOUT_MS = 2000;

/** Each link's state now: the nodes asked for `status` at once, the states as the web view computes them (src/web/view.ts). */
async function liveStates(state: LabState): Promise<LiveStates> {
  const nodes = await Promise.all(
    state.nodes.map(async (n) => {
      const answer = n.killedAt ? new Error('killed') : await controlRequest(n.socket, { cmd: 'status' }, undefined, { timeoutMs: STATUS_TIMEOUT_MS, node: n.name }).then((r) => r.result, (e: Error) => e);
      return nodeView(n, answer);
    }),
  );
  const portOf = (end: string): PortView | undefined => {
    const [node, port] = end.split(':');
    return nodes.find((x) => x.name === node)?.ports.find((p) => p.name === port);
  };
  const up = (end: string) => nodes.find((x) => x.name === end.split(':')[0])?.running === true;
  return new Map(
    state.links.map((l) => {
      const v = linkView(l, portOf, up);
      const live: LinkLive = { state: v.state, detail: v.state === 'secured' && v.cipherSuite ? `${v.cipherSuite} AN ${v.an} KN ${v.kn}` : v.reason };
      return [`${l.a}|${l.b}`, live];
    }),
  );
}

/** As text, as an SVG file, or as JSON; no form shows a CAK or a TCP MD5 key. */
function draw(t: Topology, lab: string | undefined, a: { json?: boolean; svg?: string; format?: 'svg' | 'png' | 'dot' | 'mermaid'; out?: string }, live?: LiveStates): void {
  if (a.json) return printJson(topologyWithoutKeys(t));
  if (a.format) return drawAs(t, a.format, a.out, live);
  if (a.svg) {
    writeFileSync(a.svg, topologySvg(t, live));
    note(`wrote ${a.svg}`);
    return;
  }
  printLine(renderGraph(t, lab, live));
}

/**
 * The picture in one format, to `out` or (text formats) stdout.
 * @throws CliError('failed') when rsvg-convert is missing or fails (png)
 */
function drawAs(t: Topology, format: 'svg' | 'png' | 'dot' | 'mermaid', out: string | undefined, live?: LiveStates): void {
  if (format === 'png') {
    const r = spawnSync('rsvg-convert', ['--format', 'png', '--output', out!], { input: topologySvg(t, live), encoding: 'utf8', timeout: 60_000 });
    if (r.error) throw new CliError('failed', `--format png needs rsvg-convert (apt-get install librsvg2-bin; scripts/setup.sh installs it): ${r.error.message}`);
    if (r.status !== 0) throw new CliError('failed', `rsvg-convert could not write ${out}: ${r.stderr.trim()}`);
    return note(`wrote ${out}`);
  }
  const text = format === 'svg' ? topologySvg(t, live) : format === 'dot' ? topologyDot(t, live) : topologyMermaid(t, live);
  if (out === undefined) return process.stdout.write(text) as unknown as void;
  writeFileSync(out, text);
  note(`wrote ${out}`);
}
