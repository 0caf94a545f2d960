/**
 * The topology as a picture: an SVG with the nodes in a row (customer side
 * left, DX device right), plain links as thin lines, MACsec links as thick
 * ones labelled with their mode and cipher suites, and each VIF with its
 * VLAN, addresses and BGP session underneath. Plain string building, no
 * dependency.
 *
 * The layout is computed before anything is drawn, from an estimate of each
 * text's width (TEXT_EM per character): boxes are as wide as their names, the
 * gap between two nodes as wide as the link's label and port names, long
 * lines are wrapped, and the canvas is sized to what it holds, so that no
 * text leaves the canvas or runs over a box.
 */
import type { Endpoint, Topology } from './topology.js';

/**
 * A running link's state, for the picture of a running lab (`dxlab graph
 * --name`): the state the web view gives it (secured, negotiating, fallback,
 * blocked, clear, down) and one line of detail (the SAK's suite, AN and KN
 * when secured; why not, otherwise).
 */
export interface LinkLive {
  state: string;
  detail: string | null;
}

/** Live states by link, keyed by `liveKey`. */
export type LiveStates = ReadonlyMap<string, LinkLive>;

/** A link's key in LiveStates: its ends as the lab's state file writes them, `node:port|node:port`. */
export const liveKey = (l: { a: Endpoint; b: Endpoint }): string => `${l.a.node}:${l.a.port}|${l.b.node}:${l.b.port}`;

/** A live state's colour, the web page's (src/web/page/app.js STATE_COLORS). */
export const LIVE_COLORS: Record<string, string> = { secured: '#1a8f3c', negotiating: '#d89614', fallback: '#d0421b', blocked: '#7a0e0e', clear: '#888888', down: '#222222' };

/** The two lines of a link's label: its MACsec mode and suites, or with `live` its mode and state, then the detail. */
export function linkLabel(l: Topology['links'][number], live: LinkLive | undefined): string[] {
  if (!live) return l.macsec ? [`MACsec ${l.macsec.mode}`, l.macsec.cipherSuites.join(' / ')] : [];
  const detail = live.detail && live.detail.length > 60 ? `${live.detail.slice(0, 57)}...` : live.detail;
  return [`${l.macsec ? `MACsec ${l.macsec.mode}: ` : ''}${live.state}`, ...(detail ? [detail] : [])];
}

const ORDER: Record<string, number> = { router: 0, switch: 1, provider: 1.5, attacker: 1.5, 'dx-device': 2 };

/**
 * Width of one character as a fraction of the font size: DejaVu Sans (what
 * "sans-serif" is on Debian) sets digits at 0.636 em and most lower-case
 * letters below that; bold about 10% wider. Rounded up so that estimates err
 * towards room.
 */
export const TEXT_EM = { regular: 0.64, bold: 0.72 } as const;

const MARGIN = 20;
const FONT = 13;
const SMALL = 11;
const TITLE = 16;
const LINE = 18;
const BOX_H = 54;
const BOX_MIN_W = 120;
const GAP_MIN = 160;
/** The longest line of VIF text before it wraps, in characters. */
const WRAP_CHARS = 72;

/** Estimated width in pixels of `text` at `size`. */
export function textWidth(text: string, size: number, bold = false): number {
  return Math.ceil([...text].length * size * (bold ? TEXT_EM.bold : TEXT_EM.regular));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Words of `line` in lines of at most `max` characters (a longer word stands alone). */
function wrapLine(line: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of line.split(' ')) {
    const next = cur ? `${cur} ${w}` : w;
    if (cur && next.length > max) {
      out.push(cur);
      cur = w;
    } else cur = next;
  }
  if (cur) out.push(cur);
  return out;
}

interface Text {
  x: number;
  y: number;
  text: string;
  size: number;
  anchor: 'start' | 'middle' | 'end';
  fill: string;
  bold?: boolean;
  /** Drawn over a white outline, for a text that a deeper lane's line may cross. */
  halo?: boolean;
}

/**
 * The picture; with `live` (a running lab's), each link coloured and
 * labelled by its state (a link down dashed).
 */
export function topologySvg(t: Topology, live?: LiveStates): string {
  const nodes = [...t.nodes].sort((a, b) => (ORDER[a.kind] ?? 1) - (ORDER[b.kind] ?? 1));
  const idx = (n: string) => nodes.findIndex((x) => x.name === n);
  const texts: Text[] = [];
  const shapes: string[] = [];

  texts.push({ x: MARGIN, y: MARGIN + TITLE, text: t.name, size: TITLE, anchor: 'start', fill: 'black', bold: true });
  const boxY = MARGIN + TITLE + 20 + 2 * LINE; // room above the boxes for two lines of link label
  const widths = nodes.map((n) => Math.max(BOX_MIN_W, textWidth(n.name, FONT, true) + 24, textWidth(n.kind, SMALL) + 24));

  // A link between neighbours is a straight line between their boxes, labelled
  // in the gap; any other (further apart, or a second one between the same
  // two) runs in a lane under the boxes.
  type Hop = (typeof t.links)[number] & { live?: LinkLive };
  const straight = new Map<number, Hop>();
  const lanes: Hop[] = [];
  // A link through in-path nodes (via) is drawn hop by hop: a -- v1 -- ... -- b, each hop carrying the link's MACsec.
  const hops: Hop[] = t.links.flatMap((l) => {
    const via = l.via ?? [];
    const state = live?.get(liveKey(l));
    if (!via.length) return [{ ...l, ...(state ? { live: state } : {}) }];
    const chain = [l.a, ...via.map((v) => ({ node: v, port: '' })), l.b];
    return chain.slice(1).map((r, j) => ({ ...l, a: j === 0 ? chain[0]! : { node: chain[j]!.node, port: 'eth2' }, b: j === via.length ? r : { node: r.node, port: 'eth1' }, via: [], ...(state ? { live: state } : {}) }));
  });
  for (const l of hops) {
    const [i, j] = [idx(l.a.node), idx(l.b.node)].sort((a, b) => a - b) as [number, number];
    if (j === i + 1 && !straight.has(i)) straight.set(i, l);
    else lanes.push(l);
  }
  const labelLines = (l: Hop): string[] => linkLabel(l, l.live);
  const portOf = (l: Hop, node: string): string => (l.a.node === node ? l.a.port : l.b.port);
  /** The stroke of a link: by its live state when there is one, else MACsec red or plain grey. */
  const strokeOf = (l: Hop, width: number) => {
    const colour = l.live ? (LIVE_COLORS[l.live.state] ?? '#555') : l.macsec ? '#c0392b' : '#555';
    return `stroke="${colour}" stroke-width="${l.macsec || l.live ? width : 2}"${l.live?.state === 'down' ? ' stroke-dasharray="8 5"' : ''}`;
  };
  const labelFill = (l: Hop) => (l.live ? (LIVE_COLORS[l.live.state] ?? '#c0392b') : '#c0392b');

  const gaps = nodes.slice(1).map((_, i) => {
    const l = straight.get(i);
    if (!l) return GAP_MIN;
    const label = Math.max(0, ...labelLines(l).map((s) => textWidth(s, FONT)));
    const ports = textWidth(portOf(l, nodes[i]!.name), SMALL) + textWidth(portOf(l, nodes[i + 1]!.name), SMALL) + 3 * 8;
    return Math.max(GAP_MIN, label + 2 * 12, ports);
  });
  const xs: number[] = [];
  nodes.forEach((_, i) => xs.push(i === 0 ? MARGIN : xs[i - 1]! + widths[i - 1]! + gaps[i - 1]!));
  const left = (i: number) => xs[i]!;
  const right = (i: number) => xs[i]! + widths[i]!;
  const centre = (i: number) => xs[i]! + widths[i]! / 2;
  const midY = boxY + BOX_H / 2;

  for (const [i, l] of straight) {
    const [x1, x2] = [right(i), left(i + 1)];
    shapes.push(`<line x1="${x1}" y1="${midY}" x2="${x2}" y2="${midY}" ${strokeOf(l, 6)}/>`);
    labelLines(l).forEach((s, k, all) => texts.push({ x: (x1 + x2) / 2, y: midY - 10 - (all.length - 1 - k) * LINE, text: s, size: FONT, anchor: 'middle', fill: labelFill(l) }));
    texts.push({ x: x1 + 8, y: midY + 18, text: portOf(l, nodes[i]!.name), size: SMALL, anchor: 'start', fill: '#555' });
    texts.push({ x: x2 - 8, y: midY + 18, text: portOf(l, nodes[i + 1]!.name), size: SMALL, anchor: 'end', fill: '#555' });
  }

  // Where lanes leave a box: spread over its bottom edge, one point per lane end.
  const laneEnds = nodes.map((n) => lanes.flatMap((l) => [l.a, l.b]).filter((e) => e.node === n.name).length);
  const used = nodes.map(() => 0);
  const attach = (i: number) => left(i) + (widths[i]! * ++used[i]!) / (laneEnds[i]! + 1);
  let y = boxY + BOX_H + 10;
  for (const l of lanes) {
    const [a, b] = [l.a, l.b].sort((p, q) => idx(p.node) - idx(q.node)) as [Endpoint, Endpoint];
    const [xa, xb] = [attach(idx(a.node)), attach(idx(b.node))];
    const laneY = y + LINE + 6;
    const stroke = `${strokeOf(l, 4)} fill="none"`;
    shapes.push(`<path d="M ${xa} ${boxY + BOX_H} V ${laneY} H ${xb} V ${boxY + BOX_H}" ${stroke}/>`);
    texts.push({ x: xa + 6, y: laneY - 6, text: a.port, size: SMALL, anchor: 'start', fill: '#555', halo: true });
    texts.push({ x: xb - 6, y: laneY - 6, text: b.port, size: SMALL, anchor: 'end', fill: '#555', halo: true });
    // A label line per line (a live state's reason is long), centred under the lane but never left of the margin.
    const label = l.live ? labelLines(l) : [labelLines(l).join(', ')].filter((s) => s);
    label.forEach((s, k) => texts.push({ x: Math.max((xa + xb) / 2, MARGIN + textWidth(s, FONT) / 2), y: laneY + (k + 1) * LINE, text: s, size: FONT, anchor: 'middle', fill: labelFill(l), halo: true }));
    y = laneY + label.length * LINE;
  }

  nodes.forEach((n, i) => {
    const fill = n.kind === 'dx-device' ? '#f5a623' : n.kind === 'switch' ? '#9b9b9b' : n.kind === 'provider' ? '#7f8c8d' : n.kind === 'attacker' ? '#8e44ad' : '#4a90e2';
    shapes.push(`<rect x="${left(i)}" y="${boxY}" width="${widths[i]}" height="${BOX_H}" rx="8" fill="${fill}"/>`);
    texts.push({ x: centre(i), y: boxY + 24, text: n.name, size: FONT, anchor: 'middle', fill: 'white', bold: true });
    texts.push({ x: centre(i), y: boxY + 42, text: n.kind, size: SMALL, anchor: 'middle', fill: 'white' });
  });

  y += 2 * LINE;
  for (const v of t.vifs) {
    texts.push({ x: MARGIN, y, text: `VIF ${v.name}: ${v.vlan !== undefined ? `VLAN ${v.vlan}` : 'untagged'}, MTU ${v.mtu}`, size: FONT, anchor: 'start', fill: 'black', bold: true });
    const lines: string[] = [];
    v.ends.forEach((e, k) => lines.push(`${e.node} ${e.port}: ${[v.ipv4[k], v.ipv6?.[k]].filter(Boolean).join(', ')}`));
    if (v.bgp) {
      const [c, d] = v.ends;
      lines.push(`BGP ${c.node} AS${v.bgp.customerAsn} \u2194 ${d.node} AS${v.bgp.amazonAsn}${v.bgp.md5Key ? ', TCP MD5' : ''}`);
      if (v.bgp.customerPrefixes.length) lines.push(`${c.node} advertises ${v.bgp.customerPrefixes.join(', ')}`);
      if (v.bgp.amazonPrefixes.length) lines.push(`${d.node} advertises ${v.bgp.amazonPrefixes.join(', ')}`);
    }
    for (const line of lines) {
      wrapLine(line, WRAP_CHARS).forEach((part, k) => {
        y += LINE;
        texts.push({ x: MARGIN + (k ? 28 : 12), y, text: part, size: FONT, anchor: 'start', fill: 'black' });
      });
    }
    y += LINE + 6;
  }

  // The canvas holds everything: the rightmost extent of any text or box, plus the margin.
  const extent = (x: Text) => (x.anchor === 'start' ? x.x + textWidth(x.text, x.size, x.bold) : x.anchor === 'middle' ? x.x + textWidth(x.text, x.size, x.bold) / 2 : x.x);
  const width = Math.ceil(Math.max(right(nodes.length - 1), ...texts.map(extent)) + MARGIN);
  const height = Math.ceil(y - LINE + MARGIN);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...shapes,
    ...texts.map(
      (x) =>
        `<text x="${x.x}" y="${x.y}"${x.anchor !== 'start' ? ` text-anchor="${x.anchor}"` : ''}${x.size !== FONT ? ` font-size="${x.size}"` : ''}${x.bold ? ' font-weight="bold"' : ''}${x.halo ? ' stroke="white" stroke-width="4" paint-order="stroke"' : ''} fill="${x.fill}">${esc(x.text)}</text>`,
    ),
    '</svg>',
  ];
  return out.join('\n') + '\n';
}
