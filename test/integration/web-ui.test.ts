/**
 * The web view (`dxlab up --ui`, src/web/) driven in real headless Chromium
 * (Debian's chromium, setup.sh installs it; puppeteer-core never downloads
 * a browser) against one real lab: router-dx with the fast MKA profile
 * (Hello 0.5 s, Life Time 1.5 s), a unique name and a private state dir.
 *
 * It checks what a trainer relies on: the graph shows the link secured; a
 * capture started from the page downloads and tshark reads it, the page
 * saying the fast path is off meanwhile; an action without the token is
 * refused and changes nothing; a CAK entered in the page reaches the node and
 * never comes back; `dxlab ui` alone and `dxlab ui --all` (the class
 * overview) serve it too; a scenario runs from the page step by step, its
 * explanation on screen, nothing run until Next; a mode set from the page turns the link to
 * fallback (should_encrypt) and the timeline says why; and nothing the
 * server sent (page, scripts, every SSE message, answers, the download)
 * holds the lab's CAK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { get, request } from 'node:http';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { spawn } from 'node:child_process';
import { BIN, LabSession } from '../helpers/lab-session.js';
import { ROOT } from '../helpers/cli.js';
import { tshark } from '../helpers/tshark.js';

// The browser's globals, inside page.evaluate callbacks only (tsconfig has no DOM lib).
declare const document: any;
declare const window: any;

const CHROMIUM = '/usr/bin/chromium';
/** The lab's CAK (topologies/router-dx.yaml). */
const CAK = /8899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677/i;
const CAK_BYTES = Buffer.from('8899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677', 'hex');
/** A CAK entered in the page (its CKN differs from the lab's: the link stays on its pair). */
const PAGE_CAK = randomBytes(32).toString('hex');
const PAGE_CKN = randomBytes(32).toString('hex');
/** Loose bounds for waits on a shared machine (MKA's fast profile needs a second or two). */
const WAIT_MS = 30_000;

const session = new LabSession('ui');
let browser: Browser | undefined;
let page: Page;
let url: URL;
/** Everything the server sent to this test, for the CAK check. */
const sent: Buffer[] = [];
let sse: { close(): void } | undefined;

function fetchRaw(path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // No keep-alive: each request its own connection, so that one after `down` meets the closed port.
    const r = request(new URL(path, url), { method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        sent.push(body);
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    r.on('error', reject);
    r.end(o.body);
  });
}

/** `dxlab ui ARGS` in the lab's environment: its URL (first line of stdout), and a stop (SIGTERM) resolving to its exit code. */
async function serveUi(...args: string[]): Promise<{ url: URL; stop(): Promise<number | null> }> {
  const p = spawn(process.execPath, [BIN, 'ui', ...args], { cwd: ROOT, env: session.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (p.exitCode === null) {
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
    return p.exitCode;
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      p.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      p.once('exit', (code) => reject(new Error(`dxlab ui exited ${code} before printing its URL`)));
    });
    return { url: new URL(line), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The stream at `events` up to its first model message (kept for the CAK check). */
function firstModel(events: URL): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = get(events, (res) => {
      let t = '';
      res.on('data', (c: Buffer) => {
        t += c.toString();
        if (/event: model/.test(t)) {
          sent.push(Buffer.from(t));
          r.destroy();
          resolve(t);
        }
      });
    });
    r.on('error', reject);
  });
}

/** The link's state as the page lists it (the same data draws the graph's edge). */
const linkState = () => page.$eval('#links li[data-link]', (e) => e.getAttribute('data-state'));
/** A click inside the page in one step (the page redraws what changed each second). */
const click = (selector: string) => page.$eval(selector, (b) => (b as unknown as { click(): void }).click());
const waitLink = (state: string) => page.waitForFunction((s) => document.querySelector('#links li[data-link]')?.getAttribute('data-state') === s, { timeout: WAIT_MS }, state);

beforeAll(async () => {
  const up = session.upFile(join(ROOT, 'topologies/router-dx.yaml'), '--ui');
  const m = /ui (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})/.exec(up.stdout);
  if (!m) throw new Error(`dxlab up --ui printed no web view URL: ${up.stdout}`);
  url = new URL(m[1]!);
  // A second client on the stream for the whole file: every SSE message it gets is scanned at the end.
  const req = get(new URL('/events', url), (res) => res.on('data', (c: Buffer) => sent.push(c)));
  req.on('error', () => undefined);
  sse = { close: () => req.destroy() };
  browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
  page = await browser.newPage();
  page.on('response', async (r) => {
    // The stream never ends: its messages come from the client above.
    if (!r.url().endsWith('/events')) sent.push(await r.buffer().catch(() => Buffer.alloc(0)));
  });
  await page.setViewport({ width: 1400, height: 1000 });
  await page.goto(url.href);
}, 120_000);

afterAll(async () => {
  sse?.close();
  await browser?.close();
  session.down({ mayBeDown: true });
}, 90_000);

describe('dxlab up --ui: the web view in headless Chromium', () => {
  it('dxlab status lists the web view with its URL', () => {
    const s = session.json<{ services: Array<{ name: string; url: string; running: boolean }> }>('status');
    const ui = s.services.find((x) => x.name === 'ui');
    expect(ui?.running).toBe(true);
    expect(ui?.url).toBe(url.href);
  });

  it('dxlab ui LAB serves the same view from its own process until SIGTERM', async () => {
    const ui = await serveUi(session.lab, '--port', '0');
    try {
      expect(ui.url.hostname).toBe('127.0.0.1');
      expect(ui.url.searchParams.get('token')).toMatch(/^[0-9a-f]{32}$/);
      expect(ui.url.searchParams.get('token')).not.toBe(url.searchParams.get('token'));
      const stream = await firstModel(new URL('/events', ui.url));
      expect(stream).toMatch(/"lab":"ui[0-9a-f]{6}"/);
    } finally {
      expect(await ui.stop()).toBe(0);
    }
  });

  it('dxlab ui --all: a row per lab with its link state, the lab\'s page below it, actions under the token', async () => {
    const ui = await serveUi('--all', '--port', '0');
    const overview = await browser!.newPage();
    try {
      await overview.goto(ui.url.href);
      // This file's private DXLAB_STATE_DIR holds one lab: its row, its link secured.
      await overview.waitForSelector(`tr[data-lab="${session.lab}"] [data-link="router:eth1|dx:eth1"][data-state=secured]`, { timeout: WAIT_MS });
      expect(await overview.$$eval('#labs tbody tr', (rows) => rows.length)).toBe(1);
      const href = await overview.$eval(`tr[data-lab="${session.lab}"] a`, (a) => a.getAttribute('href')!);
      expect(href).toBe(`lab/${session.lab}/?token=${ui.url.searchParams.get('token')}`);
      await overview.goto(new URL(href, ui.url).href);
      await overview.waitForFunction(() => document.querySelector('#links li[data-link]')?.getAttribute('data-state') === 'secured', { timeout: WAIT_MS });
      expect(await overview.$eval('#access', (e) => e.textContent)).toMatch(/actions enabled/);
      const bare = await fetchRaw(new URL(`/lab/${session.lab}/api/action`, ui.url).href, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'rekey', node: 'dx', port: 'eth1' }) });
      expect(bare.status).toBe(403);
      expect((await fetchRaw(new URL('/lab/nosuchlab/', ui.url).href)).status).toBe(404);
    } finally {
      await overview.close();
      expect(await ui.stop()).toBe(0);
    }
  });

  it("the graph shows the link secured, with its suite, AN and KN, and the timeline each end's secured event after any fallback", async () => {
    await waitLink('secured');
    const edge = await page.evaluate(() => window.dxlab.cy.edges()[0].data('label') as string);
    expect(edge).toMatch(/^secured\nGCM-AES-XPN-256 AN \d KN \d+/);
    expect(edge).toMatch(/private-vif vlan 100: BGP/);
    // A port not secured within Life Time of its KaY's start falls back to clear first (should_encrypt): with the
    // fast profile (1.5 s) that happens when the two nodes start that far apart on a loaded machine, so a
    // fallback may come before; a secured event must come after the last of them.
    const types = await page.$$eval('.timeline tbody tr', (rows) => rows.map((r) => `${r.getAttribute('data-end')} ${r.getAttribute('data-type')}`));
    for (const end of ['router:eth1', 'dx:eth1']) {
      expect(types).toContain(`${end} secured`);
      expect(types.lastIndexOf(`${end} secured`)).toBeGreaterThan(types.lastIndexOf(`${end} fallbackToClear`));
    }
  });

  it('the page lists the lab\'s AWS API connection as DescribeConnections has it: state, encryptionMode, each key\'s CKN and state', async () => {
    const row = await page.waitForSelector('#connections-box:not([hidden]) #connections tbody tr[data-connection]', { timeout: WAIT_MS });
    const cells = await row!.evaluate((r) => [...r.querySelectorAll('td')].map((td: any) => td.textContent as string));
    expect(cells[1]).toBe('dx:eth1');
    expect(cells[2]).toBe('available');
    expect(cells[3]).toBe('should_encrypt');
    // The lab's CKN (topologies/router-dx.yaml), in the case the API gives it.
    expect(cells[5]).toMatch(/^0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0: associated$/i);
  });

  it('dxlab graph --name draws the link as it is now, secured, in dot and svg (mermaid below, at the fallback)', () => {
    const dot = session.dxlab('graph', '--format', 'dot');
    expect(dot.status, dot.stderr).toBe(0);
    expect(dot.stdout).toMatch(/"router" -- "dx" \[label="router:eth1 - dx:eth1\\nMACsec should_encrypt: secured\\nGCM-AES-XPN-256 AN \d KN \d+\\n[^"]*", color="#1a8f3c"/);
    // The SVG is what png rasterizes (rsvg-convert): one check covers both.
    expect(session.dxlab('graph', '--format', 'svg').stdout).toMatch(/<line [^>]*stroke="#1a8f3c"[\s\S]*>MACsec should_encrypt: secured<\/text>/);
  });

  it('a scenario runs from the page step by step: its explanation on screen, nothing run until Next, the checks listed', async () => {
    // A short scenario of a trainer's own (dxlab ui --scenarios DIR), on this lab's topology.
    const root = join(session.scratch, 'scenarios');
    mkdirSync(join(root, 'page-demo'), { recursive: true });
    copyFileSync(join(ROOT, 'topologies/router-dx.yaml'), join(root, 'page-demo', 'topology.yaml'));
    writeFileSync(
      join(root, 'page-demo', 'scenario.yaml'),
      ['name: page-demo', 'title: Step by step from the page', 'minutes: 1', 'teaches: the page waits at each explanation', 'topology: topology.yaml', 'steps:',
        '  - say: First explanation, the link is secured.', '    try: [dxlab show mka dx]',
        '  - expect: status', '    node: dx', '    port: eth1', '    field: secured', '    equals: true',
        '  - say: Second explanation, a rekey.',
        '  - do: rekey', '    node: dx', '    port: eth1',
        '  - wait: status', '    node: router', '    port: eth1', '    field: secured', '    equals: true', ''].join('\n'),
    );
    const ui = await serveUi(session.lab, '--port', '0', '--scenarios', root);
    const p = await browser!.newPage();
    try {
      await p.goto(ui.url.href);
      await p.waitForSelector('#scenario:not([hidden]) select[name=scenario] option[value="page-demo"]', { timeout: WAIT_MS });
      // Without the token, no run.
      const bare = await fetchRaw(new URL('/api/action', ui.url).href, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'scenarioStart', scenario: 'page-demo' }) });
      expect(bare.status).toBe(403);
      await p.select('select[name=scenario]', 'page-demo');
      await p.$eval('button[data-action=scenarioStart]', (b) => (b as unknown as { click(): void }).click());
      await p.waitForSelector('#scenario[data-state=paused] #scenario-say:not([hidden])', { timeout: WAIT_MS });
      expect(await p.$eval('#scenario-say .say', (e) => e.textContent)).toBe('First explanation, the link is secured.');
      expect(await p.$eval('#scenario-say pre', (e) => e.textContent)).toBe(`dxlab show mka dx --name ${session.lab}`);
      // Paused: the check after the explanation has not run.
      await new Promise((r) => setTimeout(r, 1000));
      expect(await p.$$eval('#scenario-steps li', (l) => l.length)).toBe(0);
      await p.$eval('button[data-action=scenarioNext]', (b) => (b as unknown as { click(): void }).click());
      await p.waitForFunction(() => document.querySelector('#scenario-say .say')?.textContent === 'Second explanation, a rekey.' && document.querySelector('#scenario')?.getAttribute('data-state') === 'paused', { timeout: WAIT_MS });
      expect(await p.$$eval('#scenario-steps li', (l) => l.map((x) => `${x.getAttribute('data-held')} ${x.textContent}`))).toEqual(['true PASS expect status dx eth1 secured = true: got true']);
      await p.$eval('button[data-action=scenarioNext]', (b) => (b as unknown as { click(): void }).click());
      await p.waitForSelector('#scenario[data-state=passed]', { timeout: WAIT_MS });
      const steps = await p.$$eval('#scenario-steps li', (l) => l.map((x) => x.textContent));
      expect(steps).toHaveLength(3);
      expect(steps[1]).toMatch(/^rekey dx eth1: rekey requested/);
      expect(steps[2]).toMatch(/^PASS wait status router eth1 secured = true/);
      expect(await p.$eval('#scenario-state', (e) => e.textContent)).toMatch(/every check held/);
    } finally {
      await p.close();
      expect(await ui.stop()).toBe(0);
    }
    // Attached: the lab is still up and secured.
    expect(session.port(session.status(), 'dx')?.secured).toBe(true);
  });

  it('a capture started from the page turns the fast path off, downloads, and tshark reads it', async () => {
    const end = '#end-dx_eth1';
    await page.select(`${end} select[name=side]`, 'wire');
    await click(`${end} button[data-action=captureStart]`);
    await page.waitForSelector(`${end} ul.captures li[data-running=true]`, { timeout: WAIT_MS });
    await page.waitForSelector(`${end} .fastpath-note:not([hidden])`, { timeout: WAIT_MS });
    expect(await page.$eval(`${end} .fastpath-note`, (e) => e.textContent)).toMatch(/fast path off/);
    // Traffic through the link while it runs, so that the wire has MACsec frames on it.
    const ping = await session.ping('router', '169.254.100.2', 5);
    expect(ping.received).toBeGreaterThan(0);
    await click(`${end} button[data-action=captureStop]`);
    const href = await page.waitForSelector(`${end} ul.captures li[data-running=false] a[download]`, { timeout: WAIT_MS }).then((a) => a!.evaluate((x) => x.getAttribute('href')!));
    const file = join(session.scratch, 'page-capture.pcapng');
    const got = await fetchRaw(href);
    expect(got.status).toBe(200);
    writeFileSync(file, got.body);
    const ethertypes = tshark(file, undefined, ['eth.type']);
    expect(ethertypes).toContain('0x88e5');
    expect(ethertypes).toContain('0x888e');
    // The download needs the token as the actions do.
    expect((await fetchRaw(href.replace(/token=[^&]*/, 'token=wrong'))).status).toBe(403);
  });

  it('an action without the token is refused with 403 and changes nothing', async () => {
    const answer = await page.evaluate(async () => {
      const r = await fetch('/api/action', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'setMode', node: 'router', port: 'eth1', mode: 'no_encrypt' }) });
      return { status: r.status, body: (await r.json()) as { error: { code: string } } };
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('forbidden');
    const wrong = await fetchRaw('/api/action', { method: 'POST', headers: { 'content-type': 'application/json', 'x-dxlab-token': 'f'.repeat(32) }, body: JSON.stringify({ action: 'rekey', node: 'dx', port: 'eth1' }) });
    expect(wrong.status).toBe(403);
    // A page opened without the token can look, not act.
    const viewer = await browser!.newPage();
    await viewer.goto(new URL('/', url).href);
    await viewer.waitForSelector('#links li[data-state]', { timeout: WAIT_MS });
    expect(await viewer.$$eval('button[data-action]', (bs) => bs.length > 0 && bs.every((b) => (b as unknown as { disabled: boolean }).disabled))).toBe(true);
    await viewer.close();
    const s = session.status();
    expect(session.port(s, 'router')?.mode).toBe('should_encrypt');
    expect(session.port(s, 'router')?.secured).toBe(true);
    expect(await linkState()).toBe('secured');
  });

  it('a CAK entered in the page adds a key chain entry, and the field is emptied', async () => {
    const end = '#end-router_eth1';
    await page.type(`${end} input[name=ckn]`, PAGE_CKN);
    await page.type(`${end} input[name=cak]`, PAGE_CAK);
    await click(`${end} button[data-action=addKey]`);
    expect(await page.$eval(`${end} input[name=cak]`, (i) => (i as unknown as { value: string }).value)).toBe('');
    await page.waitForFunction((ckn) => document.querySelector('#action-result')?.getAttribute('data-ok') === 'true' && document.querySelector('#action-result')!.textContent!.includes(ckn), { timeout: WAIT_MS }, PAGE_CKN);
    // The node has it: the page's key chain row lists the CKN (never a CAK).
    await page.waitForFunction((ckn) => document.querySelector('#end-router_eth1 table.status')?.textContent?.includes(ckn), { timeout: WAIT_MS }, PAGE_CKN);
    expect(await linkState()).toBe('secured');
  });

  it('a mode set from the page turns the link to fallback in should_encrypt, and the timeline says why', async () => {
    const end = '#end-router_eth1';
    await page.select(`${end} select[name=mode]`, 'no_encrypt');
    await click(`${end} button[data-action=setMode]`);
    await page.waitForFunction(() => document.querySelector('#action-result')?.getAttribute('data-ok') === 'true', { timeout: WAIT_MS });
    await waitLink('fallback');
    // The DX side (should_encrypt) lost its peer and fell back to clear after MKA Life Time: its timeline row says so.
    const row = await page.waitForSelector('.timeline tbody tr[data-end="dx:eth1"][data-type=fallbackToClear]', { timeout: WAIT_MS });
    expect(await row!.evaluate((r) => r.textContent)).toMatch(/fallbackToClear .+/);
    expect(await page.$eval('#end-router_eth1 table.status', (t) => t.textContent)).toMatch(/modeno_encrypt/);
    // The picture of the running lab says so too.
    expect(session.dxlab('graph', '--format', 'mermaid').stdout).toMatch(/MACsec should_encrypt: fallback[\s\S]*linkStyle 0 stroke:#d0421b/);
  });

  it('no CAK in anything the server sent: page, scripts, SSE messages, answers, the capture', async () => {
    for (const asset of ['/', '/assets/app.js', '/assets/app.css', '/assets/cytoscape.min.js', '/assets/uPlot.iife.min.js', '/assets/uPlot.min.css']) {
      expect((await fetchRaw(asset)).status).toBe(200);
    }
    const all = Buffer.concat(sent);
    // The stream ran the whole file: hello, models, KaY events, the fallback.
    expect(all.toString('latin1')).toMatch(/event: model/);
    expect(all.toString('latin1')).toMatch(/event: mka\ndata: .*fallbackToClear/);
    expect(all.toString('latin1')).not.toMatch(CAK);
    expect(all.indexOf(CAK_BYTES)).toBe(-1);
    expect(all.toString('latin1').toLowerCase()).not.toContain(PAGE_CAK);
    expect(all.indexOf(Buffer.from(PAGE_CAK, 'hex'))).toBe(-1);
    expect(all.toString('latin1')).toContain(PAGE_CKN);
    // Nor did the supervisor that serves the page write it in its log (it names the CKN it added).
    const log = readFileSync(join(session.stateDir, session.lab, 'supervisor.log'), 'utf8');
    expect(log).toContain(PAGE_CKN);
    expect(log.toLowerCase()).not.toContain(PAGE_CAK);
    // The lab's key file does hold it: the check looks for the right thing.
    const keyFile = session.state<{ keyFiles: string[] }>().keyFiles[0]!;
    expect(readFileSync(keyFile, 'utf8')).toMatch(CAK);
  });

  it('dxlab down stops the web view', async () => {
    session.down();
    await expect(fetchRaw('/')).rejects.toThrow(/ECONNREFUSED/);
  });
});
