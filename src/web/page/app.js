// The dxlab web view's page (served by src/web/server.ts): one EventSource
// brings the lab ('hello' with the kept history, 'model' at each poll, 'mka'
// for each KaY event); actions are POSTs that carry the token from this
// page's URL. Plain browser JavaScript, no build step; cytoscape.js draws the
// topology and uPlot the counters, both served by dxlab from node_modules.
/* global cytoscape, uPlot */
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const STATE_COLORS = { secured: '#1a8f3c', negotiating: '#d89614', fallback: '#d0421b', blocked: '#7a0e0e', clear: '#888', down: '#222' };
const STATE_TEXT = { secured: 'secured', negotiating: 'negotiating', fallback: 'fallback to clear', blocked: 'blocked', clear: 'clear', down: 'down' };
const TRAFFIC = ['outPktsEncrypted', 'outPktsProtected', 'inPktsOK'];
const DROPS = ['inPktsLate', 'inPktsNotValid', 'inPktsInvalid', 'inPktsNoSCI', 'inPktsUnknownSCI', 'inPktsNotUsingSA', 'inPktsUnusedSA', 'inPktsDelayed', 'inPktsBadTag', 'inPktsNoTag', 'inPktsOverrun', 'inPktsMalformed', 'outPktsTooLong', 'outPktsNoActiveSa', 'inMkpduIcvVerificationErrors', 'inMkpduValidationErrors', 'inMkpduBadPeerErrors', 'inMkpduPeerListErrors', 'sakCipherMismatchErrors', 'unrecognizedCkn', 'txBlocked', 'rxBlocked'];
const SERIES_COLORS = ['#1f77b4', '#2ca02c', '#9467bd', '#d62728', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

const dx = { model: null, events: [], history: {}, cy: null, charts: {}, cak: { allowed: true, why: '' } };
window.dxlab = dx;

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
}
const $ = (sel, root) => (root || document).querySelector(sel);

/** Replaces a container's children only when what they show changed, so that a button is not swapped under the pointer each second. */
function renderIf(container, sig, build) {
  if (container.dataset.sig === sig) return;
  container.dataset.sig = sig;
  container.replaceChildren(...build());
}
const endKey = (node, port) => `${node}:${port}`;
const linkKey = (l) => `${l.a}|${l.b}`;
const idOf = (s) => s.replace(/[^A-Za-z0-9_-]/g, '_');

// ---- actions -------------------------------------------------------------

async function act(body) {
  const out = $('#action-result');
  const what = [body.action, body.node, body.port, body.scenario].filter((x) => x).join(' ');
  out.textContent = `${what} ...`;
  out.removeAttribute('data-ok');
  try {
    const r = await fetch('api/action', { method: 'POST', headers: { 'content-type': 'application/json', 'x-dxlab-token': token }, body: JSON.stringify(body) });
    const j = await r.json();
    out.dataset.ok = String(j.ok === true);
    const chain = j.ok && j.result && Array.isArray(j.result.keyChain) ? ` (key chain: ${j.result.keyChain.join(', ') || 'empty'})` : '';
    out.textContent = j.ok ? `${what}: done${chain}` : `${body.action}: ${j.error.message}`;
    return j;
  } catch (e) {
    out.dataset.ok = 'false';
    out.textContent = `${body.action}: ${e.message}`;
    return { ok: false };
  }
}

// ---- graph -----------------------------------------------------------------

function edgeLabel(l, vifs) {
  const lines = [STATE_TEXT[l.state] || l.state];
  if (l.state === 'secured' && l.cipherSuite) lines.push(`${l.cipherSuite} AN ${l.an} KN ${l.kn}`);
  for (const v of vifs) {
    const count = {};
    for (const b of v.bgp) count[b.state] = (count[b.state] || 0) + 1;
    lines.push(`${v.vif || v.tap} vlan ${v.vlan ?? '-'}: BGP ${Object.entries(count).map(([s, k]) => (k > 1 ? `${s} x${k}` : s)).join(', ') || 'none'}`);
  }
  return lines.join('\n');
}

function drawGraph(m) {
  if (!window.cytoscape) return;
  if (!dx.cy) {
    dx.cy = cytoscape({
      container: $('#graph'),
      style: [
        { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'center', color: '#fff', 'font-size': 11, width: 90, height: 44, 'background-color': '#35506e', shape: 'round-rectangle' } },
        { selector: 'node[kind = "dx-device"]', style: { 'background-color': '#e0892b', shape: 'rectangle' } },
        { selector: 'node[kind = "switch"]', style: { 'background-color': '#5b6b7a', shape: 'hexagon' } },
        // In-path nodes sit inside the link they carry: drawn smaller, in the link's line.
        { selector: 'node[kind = "provider"]', style: { 'background-color': '#7f8c8d', shape: 'ellipse', width: 76, height: 36 } },
        { selector: 'node[kind = "attacker"]', style: { 'background-color': '#8e44ad', shape: 'diamond', width: 84, height: 50 } },
        { selector: 'node[?down]', style: { 'background-color': '#999', 'border-width': 2, 'border-style': 'dashed' } },
        { selector: 'edge', style: { label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 10, width: 4, 'line-color': 'data(color)', 'text-background-color': '#fff', 'text-background-opacity': 0.85, 'curve-style': 'bezier' } },
        { selector: 'edge[state = "fallback"], edge[state = "negotiating"]', style: { 'line-style': 'dashed' } },
        { selector: 'edge[state = "down"]', style: { 'line-style': 'dotted' } },
        // A LAG's members run close together between the same two nodes, one label for the group.
        { selector: 'edge[lag]', style: { 'control-point-step-size': 16, width: 3 } },
      ],
      layout: { name: 'grid' },
      userZoomingEnabled: false,
    });
  }
  const cy = dx.cy;
  let added = false;
  for (const n of m.nodes) {
    const data = { id: `n-${n.name}`, label: `${n.name}\n${n.kind}`, kind: n.kind, down: !n.running };
    const e = cy.getElementById(data.id);
    if (e.empty()) {
      cy.add({ group: 'nodes', data });
      added = true;
    } else e.data(data);
  }
  const lagOf = {};
  for (const g of m.lags || []) g.members.forEach((k, i) => (lagOf[k] = { g, first: i === 0 }));
  m.links.forEach((l) => {
    const ends = [l.a, l.b].map((x) => x.split(':'));
    const lag = lagOf[linkKey(l)];
    const vifs = m.nodes.filter((n) => n.name === ends[0][0]).flatMap((n) => n.vifs.filter((v) => v.port === ends[0][1]));
    // A link through a provider or an attacker is drawn hop by hop, its state on each, its label on the first.
    const hops = [ends[0][0], ...(l.via || []), ends[1][0]];
    for (let i = 0; i + 1 < hops.length; i++) {
      const label = i !== 0 ? '' : lag ? (lag.first ? `LAG ${lag.g.name}: ${lag.g.secured} of ${lag.g.members.length} members secured\n${edgeLabel(l, vifs)}` : '') : edgeLabel(l, vifs);
      const data = { id: `e-${idOf(linkKey(l))}-${i}`, source: `n-${hops[i]}`, target: `n-${hops[i + 1]}`, state: l.state, color: STATE_COLORS[l.state] || '#888', label, ...(lag ? { lag: lag.g.name } : {}) };
      const e = cy.getElementById(data.id);
      if (e.empty()) {
        cy.add({ group: 'edges', data });
        added = true;
      } else e.data(data);
    }
  });
  if (added) cy.layout({ name: 'breadthfirst', directed: false, padding: 30, spacingFactor: 1.2 }).run();
}

// ---- side lists --------------------------------------------------------------

function drawSide(m) {
  const ul = $('#links');
  ul.replaceChildren(
    ...m.links.map((l) => {
      const detail = l.state === 'secured' && l.cipherSuite ? ` ${l.cipherSuite}, AN ${l.an}, KN ${l.kn}` : l.reason ? ` (${l.reason})` : '';
      return el('li', { 'data-link': linkKey(l), 'data-state': l.state }, `${l.a} — ${l.b}: ${STATE_TEXT[l.state]}`, el('span', { text: detail, style: 'font-weight:normal' }));
    }),
  );
  const lags = m.lags || [];
  $('#lags-box').hidden = lags.length === 0;
  $('#lags').replaceChildren(
    ...lags.map((g) =>
      el(
        'li',
        { 'data-lag': g.name, 'data-state': g.state },
        `${g.name} (${g.nodes.join(' — ')}): ${g.secured} of ${g.members.length} members secured`,
        el('ul', {}, ...g.members.map((k) => {
          const l = m.links.find((x) => linkKey(x) === k);
          return el('li', { 'data-link': k, 'data-state': l ? l.state : 'down', text: `${k.replace('|', ' — ')}: ${l ? STATE_TEXT[l.state] : 'down'}` });
        })),
      ),
    ),
  );
  const conns = m.connections || [];
  $('#connections-box').hidden = conns.length === 0;
  $('#connections tbody').replaceChildren(
    ...conns.map((c) =>
      el('tr', { 'data-connection': c.connectionId },
        el('td', { text: `${c.connectionId}${c.lagId ? ` (${c.lagId})` : ''}` }),
        el('td', { text: c.port || '-' }),
        el('td', { text: c.connectionState || '-' }),
        el('td', { text: c.encryptionMode || '-' }),
        el('td', { text: c.portEncryptionStatus || '-' }),
        el('td', { class: 'ckn', text: c.macSecKeys.map((k) => `${k.ckn}: ${k.state || '?'}`).join('\n') || '-' }),
      ),
    ),
  );
  const tbody = $('#vifs tbody');
  tbody.replaceChildren(
    ...m.nodes.flatMap((n) =>
      n.vifs.map((v) => el('tr', {}, el('td', { text: v.vif || v.tap }), el('td', { text: `${n.name} ${v.port}` }), el('td', { text: v.vlan ?? 'untagged' }), el('td', { text: v.addresses.join(' ') }), el('td', { text: v.bgp.map((b) => `${b.peerAddress} ${b.state}`).join('; ') || '-' }))),
    ),
  );
}

// ---- per link: both ends, timeline, charts ------------------------------------

function statusRows(p) {
  const rows = [
    ['mode', p.mode],
    ['controlled port', p.controlledPort],
    ['secured', p.secured],
    ['CP state', p.cpState],
    ['not secured because', p.notSecured ? `${p.notSecured.code}: ${p.notSecured.reason}` : null],
    ['cipher suite', p.cipherSuite],
    ['SAK', p.sak ? `KN ${p.sak.kn} AN ${p.sak.an} ${p.sak.cipherSuite}${p.sak.transmitting ? ' tx' : ''}${p.sak.receiving ? ' rx' : ''}` : null],
    ['encoding AN', p.encodingAn],
    ['SCI', p.sci],
    ['key server', p.keyServer ? `${p.keyServer.sci}${p.keyServer.self ? ' (self)' : ''}` : null],
    ['live peers', p.livePeers.map((x) => `${x.sci} MN ${x.mn}`).join(', ') || 'none'],
    ['potential peers', p.potentialPeers],
    ['CKN in use', p.cknInUse],
    ['key chain', p.keyChain.map((k) => `${k.ckn}${k.inUse ? ' (in use)' : ''}`).join(' ') || 'empty'],
    ['key chain choice', p.keyChainReason],
    ['fast path', p.fastPath === null ? null : p.fastPath ? 'on' : 'off'],
    ...Object.entries(p.mkaCounters),
  ];
  return rows.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => el('tr', {}, el('th', { text: k }), el('td', { text: String(v), class: /ckn|key chain|CKN/.test(k) ? 'ckn' : null })));
}

function endPanel(end) {
  const [node, port] = end.split(':');
  const id = idOf(end);
  const modeSel = el('select', { name: 'mode', 'aria-label': `mode of ${end}` }, ...['should_encrypt', 'must_encrypt', 'no_encrypt'].map((m) => el('option', { value: m, text: m })));
  const sideSel = el('select', { name: 'side', 'aria-label': `capture side of ${end}` }, ...['wire', 'clear', 'decrypted'].map((s) => el('option', { value: s, text: s })));
  return el(
    'div',
    { class: 'end', id: `end-${id}`, 'data-end': end },
    el('h3', { text: end }),
    el(
      'div',
      { class: 'actions' },
      modeSel,
      el('button', { 'data-action': 'setMode', text: 'set mode', on: { click: () => act({ action: 'setMode', node, port, mode: modeSel.value }) } }),
      el('button', { 'data-action': 'rekey', text: 'rekey', on: { click: () => act({ action: 'rekey', node, port }) } }),
      sideSel,
      el('button', { 'data-action': 'captureStart', text: 'start capture', on: { click: () => act({ action: 'captureStart', node, port, side: sideSel.value }) } }),
    ),
    keyForm(node, port, end),
    el('div', { class: 'fastpath-note note', hidden: true }),
    el('ul', { class: 'captures' }),
    el('table', { class: 'status' }, el('tbody')),
    el('div', { class: 'charts' }, el('div', { class: 'chart-traffic' }), el('div', { class: 'chart-drops' })),
  );
}

// A key chain entry from the page: the CAK is sent once and the field emptied at once; the answer names CKNs only.
function keyForm(node, port, end) {
  const ckn = el('input', { name: 'ckn', placeholder: 'CKN (hex)', size: 20, autocomplete: 'off', spellcheck: 'false', 'aria-label': `CKN for ${end}` });
  const cak = el('input', { name: 'cak', type: 'password', placeholder: 'CAK (hex, 16 or 32 octets)', size: 20, autocomplete: 'off', 'aria-label': `CAK for ${end}` });
  const add = () => {
    const body = { action: 'addKey', node, port, ckn: ckn.value.trim(), cak: cak.value.trim() };
    cak.value = '';
    return act(body);
  };
  return el(
    'div',
    { class: 'actions keys' },
    ckn,
    cak,
    el('button', { 'data-action': 'addKey', text: 'add key', on: { click: add } }),
    el('button', { 'data-action': 'removeKey', text: 'remove key (CKN)', on: { click: () => act({ action: 'removeKey', node, port, ckn: ckn.value.trim() }) } }),
    el('span', { class: 'cak-note note', hidden: true }),
  );
}

// Over plain HTTP from another machine the server takes no CAK (it would cross the network in the clear): the field is off and the page says why.
function applyCakChannel() {
  for (const box of document.querySelectorAll('.actions.keys')) {
    for (const e of box.querySelectorAll('input[name=cak], button[data-action=addKey]')) if (!dx.cak.allowed) e.disabled = true;
    const note = $('.cak-note', box);
    note.hidden = dx.cak.allowed;
    note.textContent = dx.cak.allowed ? '' : dx.cak.why;
  }
}

function ensureLinkPanel(l) {
  const id = `link-${idOf(linkKey(l))}`;
  let panel = document.getElementById(id);
  if (panel) return panel;
  panel = el(
    'section',
    { class: 'link-panel', id, 'data-link': linkKey(l) },
    el('h2', { text: `${l.a} — ${l.b}` }),
    el('div', { class: 'ends' }, endPanel(l.a), endPanel(l.b)),
    el('h3', { text: 'MKA timeline (both ends, by time)' }),
    el('div', { class: 'timeline' }, el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: 'time' }), el('th', { text: l.a }), el('th', { text: l.b }))), el('tbody'))),
  );
  $('#link-panels').append(panel);
  return panel;
}

function drawEnd(m, end) {
  const [node, port] = end.split(':');
  const box = document.getElementById(`end-${idOf(end)}`);
  const n = m.nodes.find((x) => x.name === node);
  const p = n && n.ports.find((x) => x.name === port);
  renderIf($('table.status tbody', box), JSON.stringify(p || (n && n.error)), () => (p ? statusRows(p) : [el('tr', {}, el('td', { text: n && n.error ? n.error : 'no answer' }))]));
  const capturing = p && p.captures.length > 0;
  const note = $('.fastpath-note', box);
  note.hidden = !(capturing && p.fastPath === false);
  note.textContent = `fast path off while ${p ? p.captures.length : 0} capture(s) run`;
  const mine = m.captures.filter((c) => c.node === node && c.port === port);
  renderIf($('ul.captures', box), JSON.stringify(mine), () =>
    mine.map((c) =>
      el(
        'li',
        { 'data-capture': c.id, 'data-running': String(c.running) },
        `${c.side} ${c.file}: ${c.frames} frames ${c.running ? '(running)' : '(stopped)'} `,
        c.running ? el('button', { 'data-action': 'captureStop', text: 'stop', on: { click: () => act({ action: 'captureStop', node, id: c.id }) } }) : null,
        c.running ? null : el('a', { href: `captures/${c.id}?token=${encodeURIComponent(token)}`, download: c.file, text: 'download' }),
      ),
    ),
  );
  drawCharts(end, box);
}

function drawCharts(end, box) {
  if (!window.uPlot) return;
  const h = dx.history[end] || [];
  if (!h.length) return;
  const xs = h.map((s) => s.t / 1000);
  const col = (k) => h.map((s) => s.values[k] ?? 0);
  const width = Math.max(280, Math.floor(box.clientWidth / 2) - 12);
  const drops = DROPS.filter((k) => h.some((s) => (s.values[k] ?? 0) > 0));
  const spec = { traffic: TRAFFIC.filter((k) => h.some((s) => k in s.values)), drops };
  for (const kind of ['traffic', 'drops']) {
    const keys = spec[kind];
    const slot = $(`.chart-${kind}`, box);
    const id = `${end}/${kind}`;
    let c = dx.charts[id];
    if (c && c.keys.join() !== keys.join()) {
      c.plot.destroy();
      delete dx.charts[id];
      c = undefined;
    }
    slot.dataset.series = keys.join(' ');
    if (!keys.length) {
      slot.replaceChildren(el('p', { text: kind === 'drops' ? 'no drop counter above zero' : '' }));
      continue;
    }
    const data = [xs, ...keys.map(col)];
    if (!c) {
      slot.replaceChildren();
      const opts = { title: kind === 'drops' ? 'drop counters (non-zero)' : 'frames protected and validated', width, height: 180, series: [{}, ...keys.map((k, i) => ({ label: k, stroke: SERIES_COLORS[i % SERIES_COLORS.length], width: 1.5 }))] };
      dx.charts[id] = { keys, plot: new uPlot(opts, data, slot) };
    } else c.plot.setData(data);
  }
}

function drawTimeline(l) {
  const panel = ensureLinkPanel(l);
  const ends = [l.a, l.b];
  // Both ends on one time axis: the nodes' clocks are the host's.
  const rows = dx.events.filter((e) => ends.includes(endKey(e.node, e.port))).sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : 0)).slice(-300);
  // Newest at the bottom, kept in view unless the reader scrolled up to read back.
  const box = $('.timeline', panel);
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
  $('.timeline tbody', panel).replaceChildren(
    ...rows.map((e) => {
      const cell = el('td', { 'data-type': e.type }, el('span', { class: 'type', text: e.type }), ` ${e.reason}${e.kn !== undefined ? ` (KN ${e.kn}${e.an !== undefined ? ` AN ${e.an}` : ''})` : ''}`);
      const empty = el('td');
      return el('tr', { 'data-end': endKey(e.node, e.port), 'data-type': e.type }, el('td', { class: 't', text: e.time.replace('T', ' ').replace('Z', '') }), ...(endKey(e.node, e.port) === l.a ? [cell, empty] : [empty, cell]));
    }),
  );
  if (atBottom) box.scrollTop = box.scrollHeight;
}

// ---- a scenario, step by step ------------------------------------------------------

const SCENARIO_STATE_TEXT = { running: 'running', paused: 'waiting at an explanation: read it, then Next', passed: 'done: every check held', failed: 'done: a check did not hold', stopped: 'stopped' };

function drawScenario() {
  const box = $('#scenario');
  const list = dx.scenarios || [];
  const run = dx.scenario;
  box.hidden = list.length === 0 && !run;
  const sel = $('select[name=scenario]', box);
  renderIf(sel, JSON.stringify(list), () => list.map((s) => el('option', { value: s.name, text: `${s.name}: ${s.title} (${s.minutes} min)` })));
  const chosen = list.find((s) => s.name === (run && (run.state === 'running' || run.state === 'paused') ? run.name : sel.value));
  $('#scenario-teaches').textContent = chosen ? `Teaches: ${chosen.teaches}` : '';
  const going = !!run && (run.state === 'running' || run.state === 'paused');
  box.dataset.state = run ? run.state : 'none';
  $('#scenario-state').dataset.state = run ? run.state : '';
  $('#scenario-state').textContent = run ? `${run.name}: ${SCENARIO_STATE_TEXT[run.state] || run.state}` : '';
  $('button[data-action=scenarioStart]', box).disabled = !token || going || list.length === 0;
  $('button[data-action=scenarioNext]', box).disabled = !token || !run || run.state !== 'paused';
  $('button[data-action=scenarioStop]', box).disabled = !token || !going;
  const say = $('#scenario-say');
  say.hidden = !run || !run.say;
  if (run && run.say) {
    $('.say', say).textContent = run.say.text;
    $('.tries', say).hidden = run.say.tries.length === 0;
    $('.tries pre', say).textContent = run.say.tries.join('\n');
  }
  const steps = run ? run.steps : [];
  renderIf($('#scenario-steps'), JSON.stringify(steps), () => steps.map((s) => el('li', { 'data-kind': s.kind, 'data-held': s.held === null ? null : String(s.held), 'data-error': s.error ? 'true' : null, text: s.text })));
}

function startScenarioControls() {
  const box = $('#scenario');
  $('button[data-action=scenarioStart]', box).addEventListener('click', () => act({ action: 'scenarioStart', scenario: $('select[name=scenario]', box).value }));
  $('button[data-action=scenarioNext]', box).addEventListener('click', () => act({ action: 'scenarioNext' }));
  $('button[data-action=scenarioStop]', box).addEventListener('click', () => act({ action: 'scenarioStop' }));
  $('select[name=scenario]', box).addEventListener('change', drawScenario);
}

// ---- the stream ---------------------------------------------------------------

function onModel(m) {
  dx.model = m;
  $('#lab').textContent = m.lab;
  document.title = `dxlab ${m.lab}`;
  for (const s of m.samples) {
    const k = endKey(s.node, s.port);
    (dx.history[k] = dx.history[k] || []).push(s);
    if (dx.history[k].length > 300) dx.history[k].shift();
  }
  drawGraph(m);
  drawSide(m);
  for (const l of m.links) {
    ensureLinkPanel(l);
    drawEnd(m, l.a);
    drawEnd(m, l.b);
  }
}

function start() {
  $('#access').textContent = token ? 'actions enabled (token given)' : 'view only: open the URL printed with its token to act';
  if (!token) for (const b of document.querySelectorAll('button')) b.disabled = true;
  startScenarioControls();
  const es = followEvents($('#conn'));
  es.addEventListener('scenario', (ev) => {
    dx.scenario = JSON.parse(ev.data);
    drawScenario();
  });
  es.addEventListener('hello', (ev) => {
    const h = JSON.parse(ev.data);
    dx.history = h.history;
    dx.events = h.events;
    if (h.cak) dx.cak = h.cak;
    dx.scenarios = h.scenarios || [];
    dx.scenario = h.scenario || null;
    drawScenario();
  });
  es.addEventListener('model', (ev) => {
    onModel(JSON.parse(ev.data));
    if (!token) for (const b of document.querySelectorAll('button')) b.disabled = true;
    applyCakChannel();
    drawScenario();
    if (dx.model) for (const l of dx.model.links) drawTimeline(l);
  });
  es.addEventListener('mka', (ev) => {
    dx.events.push(JSON.parse(ev.data));
    if (dx.events.length > 2000) dx.events.shift();
    if (dx.model) for (const l of dx.model.links) drawTimeline(l);
  });
}

document.addEventListener('DOMContentLoaded', start);
