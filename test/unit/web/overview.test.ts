/**
 * The class overview (`dxlab ui --all`, src/web/overview.ts) over labs the
 * test makes up: a row per lab, read again at each poll (a lab removed
 * goes), each lab's page below /lab/NAME/ under the one token, and nothing
 * served for a name that is no lab's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { LabState } from '../../../src/lab/index.js';
import { startClassView, type ClassRow, type RunningWebView } from '../../../src/web/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { httpText } from '../../helpers/http-text.js';

const dir = tempDir('dxlab-class-');
const TOKEN = 'ab'.repeat(16);
const labs = ['student02', 'student01'];
let view: RunningWebView;

/** A lab whose nodes' sockets do not exist: every node down, every link down. */
const stateOf = (lab: string) =>
  labs.includes(lab)
    ? ({ lab, captureDir: dir, nodes: ['router', 'dx'].map((n) => ({ name: n, kind: n === 'dx' ? 'dx-device' : 'router', socket: join(dir, `${lab}-${n}.sock`), taps: [] })), links: [{ a: 'router:eth1', b: 'dx:eth1', macsec: true }] } as unknown as LabState)
    : undefined;

const http = (path: string, o: { method?: string; body?: string; until?: (t: string) => boolean } = {}) => httpText(view.url, path, { ...o, headers: { 'content-type': 'application/json' } });

/** The rows of the next overview message that satisfies `cond`. */
async function rowsWhen(cond: (rows: ClassRow[]) => boolean): Promise<ClassRow[]> {
  let rows: ClassRow[] = [];
  await http('/events', {
    until: (t) =>
      t.split('\n\n').some((m) => {
        const d = /^event: overview\ndata: (.*)$/m.exec(m);
        if (!d) return false;
        rows = (JSON.parse(d[1]!) as { rows: ClassRow[] }).rows;
        return cond(rows);
      }),
  });
  return rows;
}

beforeAll(async () => {
  view = await startClassView({ host: '127.0.0.1', port: 0, pollMs: 50, token: TOKEN, labs: () => [...labs], state: stateOf, log: () => undefined });
});
afterAll(async () => {
  await view?.stop();
});

describe('class overview', () => {
  it('a row per lab, by name, with each link and the nodes that do not answer', async () => {
    const rows = await rowsWhen((r) => r.length === 2 && r.every((x) => x.links.length === 1));
    expect(rows.map((r) => r.lab)).toEqual(['student01', 'student02']);
    expect(rows[0]).toEqual({ lab: 'student01', path: '/lab/student01/', links: [{ a: 'router:eth1', b: 'dx:eth1', state: 'down' }], nodesDown: ['router', 'dx'] });
  });

  it("serves each lab's page below /lab/NAME/, actions under the token, nothing for another name", async () => {
    expect(await http(`/lab/student01?token=${TOKEN}`)).toMatchObject({ status: 301, location: `/lab/student01/?token=${TOKEN}` });
    const page = await http('/lab/student01/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('src="assets/app.js"');
    expect((await http('/lab/student01/assets/cytoscape.min.js')).status).toBe(200);
    expect((await http('/lab/student01/api/action', { method: 'POST', body: JSON.stringify({ action: 'rekey', node: 'dx', port: 'eth1' }) })).status).toBe(403);
    for (const p of ['/lab/student09/', '/lab/../etc/passwd', '/lab/Student01/', '/lab/a_b/', '/lab/student01x/']) expect((await http(p)).status, p).toBe(404);
  });

  it('a lab removed goes from the overview at the next poll', async () => {
    labs.splice(labs.indexOf('student02'), 1);
    const rows = await rowsWhen((r) => r.length === 1);
    expect(rows.map((r) => r.lab)).toEqual(['student01']);
    expect((await http('/lab/student02/')).status).toBe(404);
  });
});
