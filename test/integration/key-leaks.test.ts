/**
 * No key material where it was not exported (root): router-dx with fresh
 * keys, driven through every verb a user has (status, show, events, graph,
 * set of knobs, mode and key chain, rekey, restart, kill, wire cut and
 * restore, capture to a file and streamed to stdout, events followed, a key
 * associated through the lab's AWS API and every read answer of that API,
 * the nodes' and the supervisor's control-socket answers), then every
 * artefact is searched for every key: each
 * CAK, the ICK and KEK derived from it (802.1X-2020 6.2.2), each SAK the
 * lab used, in lower- and upper-case hex and as raw octets. The artefacts:
 * everything each command printed, the lab folder (state, node
 * configurations, logs, the kept topology) and the capture folder. The only
 * files allowed to hold keys are the root-only key files the node
 * configurations reference (keys*.json), the lab's AWS API store (api.sqlite:
 * Secrets Manager's copy of the Direct Connect secrets) and the explicit key
 * export of a capture (`*.keys.json`, `*.wireshark-macsec-keys.txt`), which
 * is also where this test learns the SAKs from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveIck, deriveKek } from '../../src/mka/index.js';
import { controlRequest } from '../../src/node/index.js';
import { fromHex, toHex } from '../../src/shared/bytes.js';
import { ROOT } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const BIN = fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url));
const hex = (n: number) => randomBytes(n).toString('hex');

/** Every regular file below `dir`, recursively (not the control sockets). */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    const st = statSync(p);
    return st.isDirectory() ? files(p) : st.isFile() ? [p] : [];
  });
}

/**
 * Files that may hold keys: the node configurations' key files, a capture's
 * explicit key export, and the lab's AWS API store (`api.sqlite` and its
 * journal files), which is Secrets Manager's store of the Direct Connect
 * secrets, as AWS keeps a CAK. Each is root-only (checked below).
 */
const EXPORTS = /(^|\/)keys\d*\.json$|\.keys\.json$|\.wireshark-macsec-keys\.txt$|(^|\/)api\.sqlite(-wal|-shm|-journal)?$/;

describe.skipIf(!isRoot)('no key material outside the key files and explicit exports', () => {
  const lab = `k${hex(3)}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-leaks-'));
  const topoDir = mkdtempSync(join(tmpdir(), 'dxlab-leaks-topo-'));
  const topo = join(topoDir, 'router-dx-leaks.yaml');
  const pairs = [
    { ckn: hex(32), cak: hex(32) },
    { ckn: hex(32), cak: hex(32) },
    { ckn: hex(32), cak: hex(32) },
  ];
  const env = { ...process.env, DXLAB_STATE_DIR: stateDir };
  const printed: string[] = [];
  const dxlab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--name', lab], { cwd: ROOT, encoding: 'utf8', env, timeout: 90_000 });
    printed.push(`$ dxlab ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const secured = () => {
    const r = dxlab('status', '--json');
    if (r.status !== 0) return false;
    const s = JSON.parse(r.stdout) as { nodes: Array<{ running: boolean; ports: Array<{ secured: boolean | null }> }> };
    return s.nodes.every((n) => n.running && n.ports.every((p) => p.secured === true));
  };
  /** Loose bound: the fast profile secures in about a second; the machine is shared. */
  const waitSecured = async (what: string) => {
    const end = Date.now() + 60_000;
    while (!secured()) {
      if (Date.now() > end) throw new Error(`${what}: the link did not secure; last status: ${dxlab('status').stdout}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  let artefacts: Array<{ name: string; data: Buffer }> = [];
  let exportedSaks: string[] = [];

  beforeAll(async () => {
    const text = readFileSync(join(ROOT, 'topologies/router-dx.yaml'), 'utf8')
      .replace(/ckn: [0-9a-f]{64}/, `ckn: ${pairs[0]!.ckn}`)
      .replace(/cak: [0-9a-f]{64}/, `cak: ${pairs[0]!.cak}`);
    writeFileSync(topo, text);
    const up = dxlab('up', topo);
    expect(up.status, up.stderr).toBe(0);
    await waitSecured('up');
    for (const v of [['status'], ['status', '--json'], ['show', 'mka', 'router'], ['show', 'mka', 'dx', '--json'], ['show', 'macsec', 'dx'], ['show', 'counters', 'router', '--json'], ['show', 'bgp', 'dx'], ['events', 'router', '--json'], ['graph', '--json'], ['graph']]) dxlab(...v);
    expect(dxlab('set', 'router', 'eth1', 'rekey').status).toBe(0);
    await waitSecured('rekey');
    dxlab('capture', 'dx', 'eth1', '--wire', '--duration', '1');
    // A restarted node starts from its configuration's key chain: restart before the key chain changes live.
    dxlab('kill', 'dx');
    dxlab('restart', 'dx');
    dxlab('wire', 'cut', 'router:eth1');
    dxlab('wire', 'restore', 'router:eth1');
    await waitSecured('restart and wire restore');
    // --cak-file, as the README advises: a CAK on the command line would be in this test's own record of it.
    const cakFile = join(topoDir, 'cak2');
    writeFileSync(cakFile, pairs[1]!.cak, { mode: 0o600 });
    for (const n of ['router', 'dx']) expect(dxlab('set', n, 'eth1', 'key', 'add', '--ckn', pairs[1]!.ckn, '--cak-file', cakFile).status).toBe(0);
    for (const n of ['router', 'dx']) expect(dxlab('set', n, 'eth1', 'key', 'remove', '--ckn', pairs[0]!.ckn).status).toBe(0);
    await waitSecured('key rollover');
    dxlab('set', 'router', 'eth1', 'replayWindow', '8');
    dxlab('set', 'dx', 'eth1', 'mode', 'must_encrypt');
    dxlab('set', 'router', 'eth1', 'rekey');
    await waitSecured('second rekey');
    for (const v of [['status', '--json'], ['show', 'mka', 'router', '--json'], ['events', 'dx', '--json']]) dxlab(...v);
    // The lab's AWS API: a third key associated through it (its request carries the CAK, its answer and
    // the DX node it drives must not), and every read answer of both services.
    const state = JSON.parse(readFileSync(join(stateDir, lab, 'state.json'), 'utf8')) as { services: Array<{ name: string; port: number }>; supervisor: { socket: string }; nodes: Array<{ name: string; socket: string }> };
    const apiPort = state.services.find((x) => x.name === 'api')!.port;
    const api = async (target: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${apiPort}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: JSON.stringify(body) });
      const text = await res.text();
      printed.push(`API ${target} ${res.status}\n${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const conns = (await api('OvertureService.DescribeConnections', {})) as { connections: Array<{ connectionId: string }> };
    expect(conns.connections.length).toBeGreaterThan(0);
    const assoc = await api('OvertureService.AssociateMacSecKey', { connectionId: conns.connections[0]!.connectionId, ckn: pairs[2]!.ckn, cak: pairs[2]!.cak });
    expect(assoc.macSecKeys).toBeDefined();
    for (const [t, b] of [
      ['OvertureService.DescribeConnections', {}],
      ['OvertureService.DescribeVirtualInterfaces', {}],
      ['OvertureService.DescribeLags', {}],
      ['OvertureService.DescribeTags', { resourceArns: [] }],
      ['secretsmanager.ListSecrets', {}],
    ] as const)
      await api(t, b);
    const secrets = (await api('secretsmanager.ListSecrets', {})) as { SecretList: Array<{ ARN: string }> };
    for (const x of secrets.SecretList) await api('secretsmanager.DescribeSecret', { SecretId: x.ARN });
    // The control sockets' own answers, as a program reads them.
    for (const n of state.nodes) {
      for (const req of [{ cmd: 'status' }, { cmd: 'counters', port: 'eth1' }, { cmd: 'events' }, { cmd: 'bgp' }]) {
        const a = await controlRequest(n.socket, req).catch((e: Error) => ({ error: e.message }));
        printed.push(`${n.name}.sock ${JSON.stringify(req)}\n${JSON.stringify(a)}`);
      }
    }
    printed.push(`supervisor.sock status\n${JSON.stringify(await controlRequest(state.supervisor.socket, { cmd: 'status' }))}`);
    // The text and JSON of the remaining read verbs, a set answered in JSON, a capture streamed to stdout, events followed.
    for (const v of [['status'], ['show', 'macsec', 'router', '--json'], ['show', 'counters', 'dx'], ['show', 'bgp', 'router', '--json'], ['show', 'mka', 'dx'], ['events', 'router'], ['set', 'router', 'eth1', 'replayWindow', '16', '--json'], ['graph', '--svg', join(topoDir, 'lab.svg')]]) dxlab(...v);
    const stream = spawnSync(process.execPath, [BIN, 'capture', 'router', 'eth1', '--wire', '--out', '-', '--duration', '1', '--name', lab], { cwd: ROOT, env, timeout: 60_000 });
    printed.push(`$ dxlab capture router eth1 --wire --out -\n${stream.stdout.toString('latin1')}\n${stream.stderr.toString()}`);
    expect(stream.stdout.length).toBeGreaterThan(100);
    const follow = spawnSync(process.execPath, [BIN, 'events', 'dx', '--follow', '--name', lab], { cwd: ROOT, env, encoding: 'utf8', timeout: 2000, killSignal: 'SIGINT' });
    printed.push(`$ dxlab events dx --follow\n${follow.stdout}\n${follow.stderr}`);
    const labFiles = files(join(stateDir, lab));
    const pcapFiles = [...files(join(ROOT, 'pcaps', lab)), join(topoDir, 'lab.svg')];
    // The files allowed to hold keys are root-only (0600).
    for (const f of [...labFiles, ...pcapFiles].filter((x) => EXPORTS.test(x))) expect((statSync(f).mode & 0o077).toString(8), f).toBe('0');
    exportedSaks = pcapFiles
      .filter((f) => f.endsWith('.keys.json'))
      .flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { saks: Array<{ sak: string }> }).saks.map((s) => s.sak));
    artefacts = [
      ...printed.map((p, i) => ({ name: `output ${i}: ${p.split('\n')[0]}`, data: Buffer.from(p) })),
      ...[...labFiles, ...pcapFiles].filter((f) => !EXPORTS.test(f)).map((f) => ({ name: f, data: readFileSync(f) })),
    ];
    const down = dxlab('down', lab);
    expect(down.status, down.stderr).toBe(0);
  }, 600_000);

  afterAll(() => {
    spawnSync(process.execPath, [BIN, 'down', lab], { env, encoding: 'utf8', timeout: 60_000 });
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(topoDir, { recursive: true, force: true });
    rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
  }, 120_000);

  it('the run used several SAKs and left logs, state, configurations and captures to search', () => {
    // Three SAKs at least: the first, the rekey, the new CAK, the restart and the second rekey each made one.
    expect(new Set(exportedSaks).size).toBeGreaterThanOrEqual(3);
    expect(artefacts.some((a) => a.name.endsWith('.log'))).toBe(true);
    expect(artefacts.some((a) => a.name.endsWith('state.json'))).toBe(true);
    expect(artefacts.some((a) => a.name.endsWith('.pcapng'))).toBe(true);
    expect(artefacts.filter((a) => a.name.startsWith('output')).length).toBeGreaterThan(20);
  });

  it('no CAK, ICK, KEK or SAK in any of them, as hex in either case or as raw octets', () => {
    const keys: Array<[string, string]> = [];
    for (const [i, p] of pairs.entries()) {
      keys.push([`CAK ${i + 1}`, p.cak], [`ICK ${i + 1}`, toHex(deriveIck(fromHex(p.cak), fromHex(p.ckn)).expose())], [`KEK ${i + 1}`, toHex(deriveKek(fromHex(p.cak), fromHex(p.ckn)).expose())]);
    }
    for (const s of new Set(exportedSaks)) keys.push([`SAK ${s.slice(0, 4)}…`, s]);
    const found: string[] = [];
    for (const a of artefacts) {
      const text = a.data.toString('latin1');
      for (const [what, k] of keys) {
        if (text.includes(k.toLowerCase()) || text.includes(k.toUpperCase()) || a.data.includes(Buffer.from(k, 'hex'))) found.push(`${what} in ${a.name}`);
      }
    }
    expect(found).toEqual([]);
  });
});
