/**
 * Checks an SVG's layout from its coordinates alone: every text inside the
 * canvas, no text running over a box it does not sit in, no two texts on top
 * of each other. A text's width is estimated from its characters (EM of the
 * font size each, DejaVu Sans' average; an independent guess, not the one
 * src/lab/graph.ts lays out with), its height from the font size.
 */
const EM = { regular: 0.6, bold: 0.66 };

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface SvgText extends Box {
  text: string;
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

export function parseSvg(svg: string): { width: number; height: number; rects: Box[]; texts: SvgText[] } {
  const root = /<svg\b[^>]*>/.exec(svg)![0];
  const defaultSize = Number(attr(root, 'font-size') ?? 16);
  const rects = [...svg.matchAll(/<rect\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((t) => attr(t, 'x') !== undefined) // the background (width="100%") is no box
    .map((t) => {
      const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((n) => Number(attr(t, n)));
      return { x0: x!, y0: y!, x1: x! + w!, y1: y! + h! };
    });
  const texts = [...svg.matchAll(/<text\b([^>]*)>([^<]*)<\/text>/g)].map((m) => {
    const tag = ` ${m[1]}`;
    const text = unescape(m[2]!);
    const size = Number(attr(tag, 'font-size') ?? defaultSize);
    const w = [...text].length * size * (attr(tag, 'font-weight') === 'bold' ? EM.bold : EM.regular);
    const x = Number(attr(tag, 'x'));
    const y = Number(attr(tag, 'y'));
    const anchor = attr(tag, 'text-anchor') ?? 'start';
    const x0 = anchor === 'middle' ? x - w / 2 : anchor === 'end' ? x - w : x;
    return { text, x0, x1: x0 + w, y0: y - 0.8 * size, y1: y + 0.25 * size };
  });
  return { width: Number(attr(root, 'width')), height: Number(attr(root, 'height')), rects, texts };
}

const overlap = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
const inside = (a: Box, b: Box) => a.x0 >= b.x0 && a.x1 <= b.x1 && a.y0 >= b.y0 && a.y1 <= b.y1;

/** What is wrong with the layout, one line per problem; empty when nothing is. */
export function layoutProblems(svg: string): string[] {
  const { width, height, rects, texts } = parseSvg(svg);
  const out: string[] = [];
  for (const t of texts) {
    if (t.x0 < 0 || t.x1 > width || t.y0 < 0 || t.y1 > height) out.push(`'${t.text}' leaves the ${width}x${height} canvas (${Math.round(t.x0)}..${Math.round(t.x1)}, ${Math.round(t.y0)}..${Math.round(t.y1)})`);
    for (const r of rects) if (overlap(t, r) && !inside(t, r)) out.push(`'${t.text}' runs over the box at ${r.x0},${r.y0}`);
  }
  texts.forEach((a, i) => texts.slice(i + 1).forEach((b) => overlap(a, b) && out.push(`'${a.text}' and '${b.text}' overlap`)));
  return out;
}
