/**
 * The web view's server (src/web/server.ts) against a stand-in node: a Unix
 * socket speaking the control protocol, whose answers carry a CAK in fields
 * no real answer has. Viewing needs no token, every action does; bad input
 * is refused naming the field and reaches no node; nothing sent holds the
 * CAK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { JsonLineServer, type JsonLineConnection } from '../../../src/node/index.js';
import type { LabState } from '../../../src/lab/index.js';
import { isLoopbackAddress, startWebView, type RunningWebView } from '../../../src/web/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { httpText } from '../../helpers/http-text.js';

const CAK = '8899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677';
const TOKEN = 'c0ffee'.repeat(5) + 'aa';
const dir = tempDir('dxlab-web-');
const socket = join(dir, 'dx.sock');
const got: Array<Record<string, unknown>> = [];
const logged: string[] = [];
let subscriber: JsonLineConnection | undefined;
let view: RunningWebView;
let node: JsonLineServer;

const port = { name: 'eth1', kind: 'macsec', mode: 'should_encrypt', secured: true, controlledPort: 'secured', cak: CAK, keyChain: [{ ckn: 'ab'.repeat(32), inUse: true, cak: CAK }], kay: { mode: 'should_encrypt', secured: true, controlledPort: 'secured', sak: { kn: 1, an: 0, cipherSuite: 'GCM-AES-XPN-256', key: CAK }, participants: [] } };
const state = { lab: 'webtest', captureDir: dir, nodes: [{ name: 'dx', kind: 'router', socket, taps: [] }], links: [{ a: 'dx:eth1', b: 'dx:eth1', macsec: true }] } as unknown as LabState;

const http = (path: string, o: Parameters<typeof httpText>[2] = {}) => httpText(view.url, path, o);
const action = (body: unknown, token?: string) => http('/api/action', { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { 'x-dxlab-token': token } : {}) }, body: typeof body === 'string' ? body : JSON.stringify(body) });

beforeAll(async () => {
  node = new JsonLineServer(socket, {
    handle: (req, conn) => {
      got.push(req);
      if (req.cmd === 'status') return { name: 'dx', ports: [port], vifs: [] };
      if (req.cmd === 'counters') return { name: 'dx', ports: [{ name: 'eth1', secy: { txSc: { outPktsEncrypted: 5 } }, cak: CAK }] };
      if (req.cmd === 'events') {
        subscriber = conn;
        return { events: [{ time: '2026-01-01T00:00:00.000Z', type: 'started', reason: 'port up', port: 'eth1', cak: CAK }] };
      }
      if (req.cmd === 'setMode') return { mode: req.mode };
      // As a real node answers: the key chain's CKNs (a stand-in that also echoed the CAK would be caught below).
      if (req.cmd === 'addKey') return { keyChain: ['ab'.repeat(32), req.ckn], cak: req.cak };
      return {};
    },
    codeOf: () => undefined,
    log: { warn: () => undefined },
  });
  await node.listen();
  // The lab's AWS API, as a stand-in whose answer carries a CAK where no real one does.
  const connections = async () => [{ connectionId: 'dxcon-web1', connectionState: 'available', encryptionMode: 'should_encrypt', portEncryptionStatus: 'Encryption Up', macSecCapable: true, tags: [{ key: 'dxlab:port', value: 'dx:eth1' }], macSecKeys: [{ ckn: 'ab'.repeat(32), state: 'associated', secretARN: 'arn:aws:secretsmanager:x', cak: CAK }] }];
  view = await startWebView({ lab: 'webtest', host: '127.0.0.1', port: 0, pollMs: 50, token: TOKEN, state: () => state, connections, log: (line, fields) => logged.push(`${line} ${JSON.stringify(fields ?? {})}`) });
});

afterAll(async () => {
  await view?.stop();
  await node?.close();
});

const actions = () => got.filter((r) => !['status', 'counters', 'events'].includes(String(r.cmd)));

describe('web view server', () => {
  it('prints a loopback URL with its token', () => {
    expect(view.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?token=${TOKEN}$`));
  });

  it('serves the page and both libraries from this machine, no token needed', async () => {
    const page = await http('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const a of ['/assets/app.js', '/assets/cytoscape.min.js', '/assets/uPlot.iife.min.js']) expect((await http(a)).status, a).toBe(200);
    expect((await http('/nothing')).status).toBe(404);
  });

  it('refuses an action without the token, or with another, with 403; the node is not asked', async () => {
    const before = actions().length;
    const none = await action({ action: 'setMode', node: 'dx', port: 'eth1', mode: 'no_encrypt' });
    expect(none.status).toBe(403);
    expect(JSON.parse(none.text).error.code).toBe('forbidden');
    expect((await action({ action: 'rekey', node: 'dx', port: 'eth1' }, 'f'.repeat(32))).status).toBe(403);
    expect((await http('/captures/0000abcd?token=nope')).status).toBe(403);
    expect(actions().length).toBe(before);
  });

  it('refuses bad input naming the field, and asks no node', async () => {
    const before = actions().length;
    const bad = await action({ action: 'setMode', node: 'dx', port: 'eth1', mode: 'encrypt_maybe' }, TOKEN);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.message).toMatch(/'mode'/);
    expect((await action({ action: 'setMode', node: 'nope', port: 'eth1', mode: 'no_encrypt' }, TOKEN)).status).toBe(404);
    expect(JSON.parse((await action({ action: 'rekey', node: 'dx', port: '../x' }, TOKEN)).text).error.message).toMatch(/'port'/);
    expect(JSON.parse((await action({ action: 'format', node: 'dx' }, TOKEN)).text).error.message).toMatch(/'action'/);
    expect((await action('not json', TOKEN)).status).toBe(400);
    expect((await action('x'.repeat(70_000), TOKEN)).status).toBe(400);
    expect(actions().length).toBe(before);
  });

  it('carries out an action with the token', async () => {
    const r = await action({ action: 'setMode', node: 'dx', port: 'eth1', mode: 'must_encrypt' }, TOKEN);
    expect(r.status).toBe(200);
    expect(actions().at(-1)).toMatchObject({ cmd: 'setMode', port: 'eth1', mode: 'must_encrypt' });
  });

  it('takes a CAK from the page once, over loopback: the node gets it, the answer, the log and errors never hold it', async () => {
    const NEW_CAK = 'fe'.repeat(32);
    const r = await action({ action: 'addKey', node: 'dx', port: 'eth1', ckn: 'CD'.repeat(16), cak: NEW_CAK.toUpperCase() }, TOKEN);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ ok: true, result: { keyChain: ['ab'.repeat(32), 'cd'.repeat(16)] } });
    expect(actions().at(-1)).toMatchObject({ cmd: 'addKey', port: 'eth1', ckn: 'cd'.repeat(16), cak: NEW_CAK });
    const before = actions().length;
    const short = await action({ action: 'addKey', node: 'dx', port: 'eth1', ckn: 'cd', cak: NEW_CAK.slice(0, 40) }, TOKEN);
    expect(short.status).toBe(400);
    expect(JSON.parse(short.text).error.message).toBe("'cak' must be 16 or 32 octets of hex");
    expect((await action({ action: 'addKey', node: 'dx', port: 'eth1', ckn: 'cd', cak: NEW_CAK }, undefined)).status).toBe(403);
    expect(actions().length).toBe(before);
    expect([r.text, short.text, ...logged].join('\n').toLowerCase()).not.toContain(NEW_CAK);
    expect(logged.some((l) => l.includes('key added'))).toBe(true);
  });

  it('knows a loopback peer from any other: a CAK is taken only from one', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:192.168.1.2', 'fe80::1', '1127.0.0.1', '127.0.0.1.evil', undefined]) expect(isLoopbackAddress(a), String(a)).toBe(false);
  });

  it('streams the kept history, a model per poll and each KaY event, with no key in any', async () => {
    const stream = http('/events', { until: (t) => /event: model/.test(t) && /event: mka\ndata: .*sakInstalled/.test(t) });
    // The event arrives on the node's subscription while the page listens.
    const push = setInterval(() => subscriber?.push({ time: '2026-01-01T00:00:01.000Z', type: 'sakInstalled', reason: 'r', port: 'eth1', kn: 1, an: 0, sak: CAK }), 50);
    const s = await stream.finally(() => clearInterval(push));
    expect(s.headers['content-type']).toBe('text/event-stream');
    expect(s.text).toMatch(/event: hello\ndata: .*"started"/);
    expect(s.text).toMatch(/"state":"secured","cipherSuite":"GCM-AES-XPN-256","an":0,"kn":1/);
    // The API's connections: state, mode, each key's CKN and state, the port it is on; no secret ARN, no CAK.
    expect(s.text).toContain(`"connections":[{"connectionId":"dxcon-web1","connectionName":null,"connectionState":"available","lagId":null,"macSecCapable":true,"encryptionMode":"should_encrypt","portEncryptionStatus":"Encryption Up","port":"dx:eth1","macSecKeys":[{"ckn":"${'ab'.repeat(32)}","state":"associated","startOn":null}]}]`);
    expect(s.text).not.toContain('secretsmanager');
    expect(s.text.toLowerCase()).not.toContain(CAK);
  });
});
