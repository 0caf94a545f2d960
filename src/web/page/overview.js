// The class overview (`dxlab ui --all`, src/web/overview.ts): one row per
// lab with each link's state, pushed by the server; each lab's page opens
// below /lab/NAME/ with this page's token.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const STATE_TEXT = { secured: 'secured', negotiating: 'negotiating', fallback: 'fallback to clear', blocked: 'blocked', clear: 'clear', down: 'down' };

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
}

function draw(rows) {
  document.getElementById('none').hidden = rows.length > 0;
  document.querySelector('#labs tbody').replaceChildren(
    ...rows.map((r) =>
      el(
        'tr',
        { 'data-lab': r.lab },
        el('td', {}, el('a', { href: `lab/${r.lab}/${token ? `?token=${encodeURIComponent(token)}` : ''}` }, r.lab)),
        el('td', {}, ...r.links.map((l) => el('div', { 'data-link': `${l.a}|${l.b}`, 'data-state': l.state }, `${l.a} — ${l.b}: ${STATE_TEXT[l.state] || l.state}`))),
        el('td', {}, r.nodesDown.join(', ') || '-'),
      ),
    ),
  );
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('access').textContent = token ? 'actions enabled in each lab (token given)' : 'view only';
  const es = followEvents(document.getElementById('conn'));
  es.addEventListener('overview', (ev) => draw(JSON.parse(ev.data).rows));
});
