/**
 * DNS-rebinding protection (src/web/host-check.ts): which `Host` headers a
 * server bound to an address answers, and that the web view refuses the
 * rest with 403 before anything else happens (no node is asked, no page).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabState } from '../../../src/lab/index.js';
import { allowedHosts, hostAllowed, hostName, startWebView, type RunningWebView } from '../../../src/web/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { httpText } from '../../helpers/http-text.js';

describe('Host header check', () => {
  it('reads the name of a Host header, with or without port, IPv6 in brackets; nothing from a malformed one', () => {
    expect(hostName('LocalHost:8480')).toBe('localhost');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName('[::1]:8480')).toBe('::1');
    expect(hostName('lab.example.org:443')).toBe('lab.example.org');
    for (const bad of [undefined, '', 'a b', 'host:port', '[::1', '[zz::1]:80', 'evil.com/x', 'user@host', 'x:123456']) expect(hostName(bad), String(bad)).toBeUndefined();
  });

  it('bound to loopback: loopback names and addresses only', () => {
    const ok = allowedHosts('127.0.0.1', ['10.1.2.3']);
    for (const h of ['127.0.0.1:8480', 'localhost:8480', '[::1]:8480', '127.0.0.2', 'x.localhost:8480']) expect(hostAllowed(h, ok), h).toBe(true);
    // A rebound domain, this machine's other address, a look-alike, no Host at all.
    for (const h of ['evil.example:8480', 'attacker.com', '10.1.2.3:8480', 'localhost.evil.com', '127.0.0.1.evil.com', undefined, '']) expect(hostAllowed(h, ok), String(h)).toBe(false);
  });

  it('bound to one address: that address (or name) and loopback', () => {
    const byIp = allowedHosts('192.0.2.10', ['192.0.2.10', '10.1.2.3']);
    expect(hostAllowed('192.0.2.10:8480', byIp)).toBe(true);
    expect(hostAllowed('10.1.2.3:8480', byIp)).toBe(false);
    expect(hostAllowed('evil.example', byIp)).toBe(false);
    const byName = allowedHosts('Lab.Example.org', []);
    expect(hostAllowed('lab.example.org:8443', byName)).toBe(true);
    expect(hostAllowed('other.example.org:8443', byName)).toBe(false);
    const v6 = allowedHosts('[2001:db8::5]', []);
    expect(hostAllowed('[2001:db8::5]:8480', v6)).toBe(true);
  });

  it('bound to every address: each of this machine\'s addresses, no name', () => {
    const all = allowedHosts('0.0.0.0', ['127.0.0.1', '192.0.2.10', 'fe80::1']);
    for (const h of ['192.0.2.10:8480', '[fe80::1]:8480', 'localhost']) expect(hostAllowed(h, all), h).toBe(true);
    for (const h of ['198.51.100.1', 'lab.example.org', 'evil.example']) expect(hostAllowed(h, all), h).toBe(false);
  });
});

describe('the web view refuses a request for another host', () => {
  const dir = tempDir('dxlab-webhost-');
  const logged: string[] = [];
  let view: RunningWebView;
  const state = { lab: 'hosttest', captureDir: dir, nodes: [], links: [] } as unknown as LabState;
  beforeAll(async () => {
    view = await startWebView({ lab: 'hosttest', host: '127.0.0.1', port: 0, pollMs: 1000, token: 'ab'.repeat(16), state: () => state, log: (l, f) => logged.push(`${l} ${JSON.stringify(f ?? {})}`) });
  });
  afterAll(async () => view?.stop());

  it('serves the page to 127.0.0.1 and localhost, 403 to a rebound name (page, stream and actions alike)', async () => {
    const port = new URL(view.url).port;
    expect((await httpText(view.url, '/')).status).toBe(200);
    expect((await httpText(view.url, '/', { headers: { host: `localhost:${port}` } })).status).toBe(200);
    for (const path of ['/', '/events', '/assets/app.js']) {
      const r = await httpText(view.url, path, { headers: { host: `rebind.evil.example:${port}` } });
      expect(r.status, path).toBe(403);
      expect(JSON.parse(r.text).error.message).toMatch(/DNS rebinding/);
    }
    const act = await httpText(view.url, '/api/action', { method: 'POST', headers: { host: 'rebind.evil.example', 'content-type': 'application/json', 'x-dxlab-token': 'ab'.repeat(16) }, body: '{"action":"rekey","node":"x","port":"eth1"}' });
    expect(act.status).toBe(403);
    expect(JSON.parse(act.text).error.code).toBe('forbidden');
    expect(logged.some((l) => l.includes('request for another host refused') && l.includes('rebind.evil.example'))).toBe(true);
  });
});
