/**
 * A topology as text for other tools to draw (`dxlab graph --format dot|mermaid`):
 * Graphviz DOT (https://graphviz.org/doc/info/lang.html: an undirected
 * `graph`, `--` edges, quoted IDs with `"` and `\` escaped) and Mermaid's
 * flowchart (https://mermaid.js.org/syntax/flowchart.html: `graph LR`, a
 * node as `id["label"]`, a labelled link as `a ---|"label"| b`, `#quot;`
 * for a quote inside a label). The same content as the SVG (graph.ts):
 * nodes by kind, each link with its ports and MACsec mode and suites, a link
 * through in-path nodes (via) hop by hop, the VIFs with their VLAN. No key.
 * With a running lab's live states, each link's state in its label and its
 * colour (DOT `color`, Mermaid `linkStyle N stroke:...`), a link down dashed.
 */
import { LIVE_COLORS, linkLabel, liveKey, type LinkLive, type LiveStates } from './graph.js';
import type { Topology } from './topology.js';

interface Edge {
  from: string;
  to: string;
  /** Lines of its label (on the first hop of a link through in-path nodes). */
  label: string[];
  macsec: boolean;
  live?: LinkLive;
}

/** Each link as hops, with what its label says. */
function edges(t: Topology, live?: LiveStates): Edge[] {
  return t.links.flatMap((l) => {
    const state = live?.get(liveKey(l));
    const hops = [l.a.node, ...(l.via ?? []), l.b.node];
    const vifs = t.vifs.filter((v) => v.ends.some((e) => (e.node === l.a.node && e.port === l.a.port) || (e.node === l.b.node && e.port === l.b.port)));
    const label = [
      `${l.a.node}:${l.a.port} - ${l.b.node}:${l.b.port}`,
      ...linkLabel(l, state),
      ...vifs.map((v) => `VIF ${v.name}${v.vlan !== undefined ? ` vlan ${v.vlan}` : ''}`),
    ];
    return hops.slice(1).map((to, i) => ({ from: hops[i]!, to, label: i === 0 ? label : [], macsec: l.macsec !== undefined, ...(state ? { live: state } : {}) }));
  });
}

/** A quoted DOT ID; a line break as DOT's `\n` escape (centred line). */
const dotId = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Graphviz DOT: `dot -Tpng` draws it; with `live`, each link in its state's colour. */
export function topologyDot(t: Topology, live?: LiveStates): string {
  const lines = [`graph ${dotId(t.name)} {`, '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fillcolor="#dde6f0", fontname="sans-serif"];', '  edge [fontname="sans-serif", fontsize=10];'];
  for (const n of t.nodes) lines.push(`  ${dotId(n.name)} [label=${dotId(`${n.name}\n${n.kind}`)}${n.kind === 'dx-device' ? ', fillcolor="#f6c28b"' : ''}];`);
  for (const e of edges(t, live)) {
    const look = e.live ? `color="${LIVE_COLORS[e.live.state] ?? '#555555'}", penwidth=3${e.live.state === 'down' ? ', style=dashed' : ''}` : e.macsec ? 'color="#c0392b", penwidth=3' : 'color="#555555"';
    const attrs = [...(e.label.length ? [`label=${dotId(e.label.join('\n'))}`] : []), look];
    lines.push(`  ${dotId(e.from)} -- ${dotId(e.to)} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;');
/** Node ids: letters, digits and underscores only (a node name may hold none other, but a lab's may). */
const mermaidId = (s: string) => `n_${s.replace(/[^A-Za-z0-9_]/g, '_')}`;

/**
 * A Mermaid flowchart: GitHub and most Markdown viewers draw it in a ```mermaid block.
 * With `live`, each link styled by its index in the order of definition (Mermaid's `linkStyle N`).
 */
export function topologyMermaid(t: Topology, live?: LiveStates): string {
  const lines = ['graph LR'];
  for (const n of t.nodes) lines.push(`  ${mermaidId(n.name)}["${mermaidText(n.name)}<br/>${mermaidText(n.kind)}"]`);
  const styles: string[] = [];
  edges(t, live).forEach((e, i) => {
    const link = e.live?.state === 'down' ? '-.-' : e.macsec ? '===' : '---';
    lines.push(`  ${mermaidId(e.from)} ${link}${e.label.length ? `|"${mermaidText(e.label.join('<br/>'))}"|` : ''} ${mermaidId(e.to)}`);
    if (e.live) styles.push(`  linkStyle ${i} stroke:${LIVE_COLORS[e.live.state] ?? '#555555'},stroke-width:4px`);
  });
  return [...lines, ...styles].join('\n') + '\n';
}
