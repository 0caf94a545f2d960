/**
 * A topology as text for other tools to draw (`dxlab graph --format dot|mermaid`):
 * Graphviz DOT (https://graphviz.org/doc/info/lang.html: an undirected
 * `graph`, `--` edges, quoted IDs with `"` and `\` escaped) and Mermaid's
 * flowchart (https://mermaid.js.org/syntax/flowchart.html: `graph LR`, a
 * node as `id["label"]`, a labelled link as `a ---|"label"| b`, `#quot;`
 * for a quote inside a label). The same content as the SVG (graph.ts):
 * nodes by kind, each link with its ports and MACsec mode and suites, a link
 * through in-path nodes (via) hop by hop, the VIFs with their VLAN. No key.
 */
import type { Topology } from './topology.js';

interface Edge {
  from: string;
  to: string;
  /** Lines of its label (on the first hop of a link through in-path nodes). */
  label: string[];
  macsec: boolean;
}

/** Each link as hops, with what its label says. */
function edges(t: Topology): Edge[] {
  return t.links.flatMap((l) => {
    const hops = [l.a.node, ...(l.via ?? []), l.b.node];
    const vifs = t.vifs.filter((v) => v.ends.some((e) => (e.node === l.a.node && e.port === l.a.port) || (e.node === l.b.node && e.port === l.b.port)));
    const label = [
      `${l.a.node}:${l.a.port} - ${l.b.node}:${l.b.port}`,
      ...(l.macsec ? [`MACsec ${l.macsec.mode}`, l.macsec.cipherSuites.join(' / ')] : []),
      ...vifs.map((v) => `VIF ${v.name}${v.vlan !== undefined ? ` vlan ${v.vlan}` : ''}`),
    ];
    return hops.slice(1).map((to, i) => ({ from: hops[i]!, to, label: i === 0 ? label : [], macsec: l.macsec !== undefined }));
  });
}

/** A quoted DOT ID; a line break as DOT's `\n` escape (centred line). */
const dotId = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Graphviz DOT: `dot -Tpng` draws it. */
export function topologyDot(t: Topology): string {
  const lines = [`graph ${dotId(t.name)} {`, '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fillcolor="#dde6f0", fontname="sans-serif"];', '  edge [fontname="sans-serif", fontsize=10];'];
  for (const n of t.nodes) lines.push(`  ${dotId(n.name)} [label=${dotId(`${n.name}\n${n.kind}`)}${n.kind === 'dx-device' ? ', fillcolor="#f6c28b"' : ''}];`);
  for (const e of edges(t)) {
    const attrs = [...(e.label.length ? [`label=${dotId(e.label.join('\n'))}`] : []), e.macsec ? 'color="#c0392b", penwidth=3' : 'color="#555555"'];
    lines.push(`  ${dotId(e.from)} -- ${dotId(e.to)} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;');
/** Node ids: letters, digits and underscores only (a node name may hold none other, but a lab's may). */
const mermaidId = (s: string) => `n_${s.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** A Mermaid flowchart: GitHub and most Markdown viewers draw it in a ```mermaid block. */
export function topologyMermaid(t: Topology): string {
  const lines = ['graph LR'];
  for (const n of t.nodes) lines.push(`  ${mermaidId(n.name)}["${mermaidText(n.name)}<br/>${mermaidText(n.kind)}"]`);
  for (const e of edges(t)) {
    const link = e.macsec ? '===' : '---';
    lines.push(`  ${mermaidId(e.from)} ${link}${e.label.length ? `|"${mermaidText(e.label.join('<br/>'))}"|` : ''} ${mermaidId(e.to)}`);
  }
  return lines.join('\n') + '\n';
}
