/**
 * The topology as a picture: an SVG with the nodes in a row (customer side
 * left, DX device right), plain links as thin lines, MACsec links as thick
 * ones labelled with their suite and mode, and each VIF with its VLAN,
 * addresses and BGP ASNs underneath. Plain string building, no dependency.
 */
import type { Topology } from './topology.js';

const ORDER: Record<string, number> = { router: 0, switch: 1, 'dx-device': 2 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function topologySvg(t: Topology): string {
  const nodes = [...t.nodes].sort((a, b) => (ORDER[a.kind] ?? 1) - (ORDER[b.kind] ?? 1));
  const W = 220;
  const x = (name: string) => 60 + nodes.findIndex((n) => n.name === name) * W;
  const width = 120 + (nodes.length - 1) * W + 60;
  const height = 200 + t.vifs.length * 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="20" y="28" font-size="16" font-weight="bold">${esc(t.name)}</text>`,
  ];
  for (const l of t.links) {
    const [x1, x2] = [x(l.a.node) + 60, x(l.b.node) + 60].sort((a, b) => a - b) as [number, number];
    const m = l.macsec;
    out.push(`<line x1="${x1}" y1="90" x2="${x2}" y2="90" stroke="${m ? '#c0392b' : '#555'}" stroke-width="${m ? 6 : 2}"/>`);
    if (m) out.push(`<text x="${(x1 + x2) / 2}" y="78" text-anchor="middle" fill="#c0392b">MACsec ${esc(m.cipherSuites[0] ?? '')} ${esc(m.mode)}</text>`);
    out.push(`<text x="${x1 + 62}" y="108" font-size="11" fill="#555">${esc(l.a.port)}</text><text x="${x2 - 62}" y="108" font-size="11" fill="#555" text-anchor="end">${esc(l.b.port)}</text>`);
  }
  for (const n of nodes) {
    const fill = n.kind === 'dx-device' ? '#f5a623' : n.kind === 'switch' ? '#9b9b9b' : '#4a90e2';
    out.push(`<rect x="${x(n.name)}" y="65" width="120" height="50" rx="8" fill="${fill}"/>`);
    out.push(`<text x="${x(n.name) + 60}" y="88" text-anchor="middle" fill="white" font-weight="bold">${esc(n.name)}</text>`);
    out.push(`<text x="${x(n.name) + 60}" y="105" text-anchor="middle" fill="white" font-size="11">${esc(n.kind)}</text>`);
  }
  t.vifs.forEach((v, i) => {
    const y = 160 + i * 40;
    const bgp = v.bgp ? `, BGP AS${v.bgp.customerAsn} \u2194 AS${v.bgp.amazonAsn}${v.bgp.md5Key ? ' (MD5)' : ''}` : '';
    out.push(`<text x="20" y="${y}">VIF ${esc(v.name)}: VLAN ${v.vlan}, MTU ${v.mtu}, ${esc(v.ends[0].node)} ${esc(v.ipv4[0])} \u2194 ${esc(v.ends[1].node)} ${esc(v.ipv4[1])}${esc(bgp)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
