/**
 * `npm run screenshots` (as root, after `npm run build`): the README's
 * pictures of the web view, taken in headless Chromium against a real lab,
 * attacker-router-dx with the fast MKA profile (a unique name, a private
 * state folder, removed at the end whatever happens):
 *
 * - docs/screenshots/web-secured.png: the link secured, its SAK and the
 *   timeline of both ends;
 * - docs/screenshots/web-attack.png: the attacker flipping bits in the
 *   MACsec frames while pings cross: the drop counters jump;
 * - docs/screenshots/web-fallback.png: the router set to no_encrypt from
 *   the page: the DX device (should_encrypt) falls back to clear after MKA
 *   Life Time, and the timeline says why.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Page } from 'puppeteer-core';

// The browser's globals, inside page callbacks only (tsconfig has no DOM lib).
declare const document: any;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/dxlab.js');
const OUT = join(ROOT, 'docs/screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WAIT_MS = 60_000;

const lab = `shots${randomBytes(3).toString('hex')}`;
const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-shots-'));
const env = { ...process.env, DXLAB_STATE_DIR: stateDir };

function dxlab(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`dxlab ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Pings through the link from the router's namespace, in the background. */
function ping(count: number): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn('ip', ['netns', 'exec', `dxlab-${lab}-router`, 'ping', '-q', '-i', '0.1', '-W', '1', '-c', String(count), '169.254.100.2'], { stdio: 'ignore' });
    p.once('exit', () => resolve());
  });
}

const linkIs = (page: Page, state: string) => page.waitForFunction((s: string) => document.querySelector('#links li[data-link]')?.getAttribute('data-state') === s, { timeout: WAIT_MS }, state);

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const up = dxlab('up', join(ROOT, 'topologies/attacker-router-dx.yaml'), '--name', lab, '--ui');
  const url = /ui (http:\/\/\S+)/.exec(up)?.[1];
  if (!url) throw new Error(`dxlab up --ui printed no URL: ${up}`);
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    await page.goto(url);
    await linkIs(page, 'secured');
    // A few seconds of traffic, so that the charts have a line to draw.
    await ping(30);
    await page.screenshot({ path: join(OUT, 'web-secured.png'), fullPage: true });
    console.error('wrote docs/screenshots/web-secured.png');

    dxlab('attack', 'mallory', 'bitflip', '--percent', '50', '--name', lab);
    await ping(40);
    await page.waitForFunction(() => /inPktsNotValid|inPktsInvalid/.test(document.querySelector('.chart-drops')?.getAttribute('data-series') ?? ''), { timeout: WAIT_MS });
    await page.screenshot({ path: join(OUT, 'web-attack.png'), fullPage: true });
    console.error('wrote docs/screenshots/web-attack.png');
    dxlab('attack', 'mallory', 'stop', '--name', lab);

    await page.select('#end-router_eth1 select[name=mode]', 'no_encrypt');
    await page.$eval('#end-router_eth1 button[data-action=setMode]', (b: any) => b.click());
    await linkIs(page, 'fallback');
    await page.waitForSelector('.timeline tbody tr[data-type=fallbackToClear]', { timeout: WAIT_MS });
    await page.screenshot({ path: join(OUT, 'web-fallback.png'), fullPage: true });
    console.error('wrote docs/screenshots/web-fallback.png');
  } finally {
    await browser.close();
  }
}

main()
  .catch((e: Error) => {
    console.error(`screenshots: ${e.message}`);
    process.exitCode = 1;
  })
  .finally(() => {
    spawnSync(process.execPath, [BIN, 'down', lab], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });
