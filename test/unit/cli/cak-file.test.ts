/**
 * `--cak-file FILE` wherever `--cak` is taken, so that a CAK need not be on a
 * command line (where every user sees it in `ps`): repeatable and paired in
 * order with `--ckn`, `-` once for stdin, whitespace trimmed; a file missing,
 * unreadable or not a CAK is a usage error (exit 2) naming the file, never
 * its content. Runs the built `dxlab` (npm test builds dist/ first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { memoryRouter } from '../../helpers/memory-node.js';
import { ROOT } from '../../helpers/cli.js';
import { captureKeys, capturePath } from '../../helpers/captures.js';
import { tempDir } from '../../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../../bin/dxlab.js', import.meta.url));
const tmp = tempDir();
const hex = (n: number) => randomBytes(n).toString('hex');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI, synchronously (no node of this process has to answer). */
function run(args: string[], o: { input?: string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input: o.input ?? '', env: { ...process.env, ...o.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI, leaving this process's event loop free for the node it talks to. */
function runAsync(args: string[], o: { env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

const CKN = hex(32);
const CAK = hex(32);

describe('dxlab keys derive --cak-file', () => {
  const byArg = JSON.parse(run(['keys', 'derive', '--ckn', CKN, '--cak', CAK, '--json']).stdout);

  it('gives what --cak gives; the file may hold surrounding whitespace and upper case', () => {
    const f = file('cak.txt', `\n  ${CAK.toUpperCase()}  \n`);
    const r = run(['keys', 'derive', '--ckn', CKN, '--cak-file', f, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(byArg);
  });

  it('--cak-file - reads the CAK from stdin', () => {
    const r = run(['keys', 'derive', '--ckn', CKN, '--cak-file', '-', '--json'], { input: `${CAK}\n` });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(byArg);
  });

  it('a missing file: exit 2 naming it', () => {
    const f = join(tmp, 'nope.txt');
    const r = run(['keys', 'derive', '--ckn', CKN, '--cak-file', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`dxlab: --cak-file ${f}: cannot read: ENOENT\n`);
  });

  it('a file that is not hex, or a CAK of 24 octets: exit 2 naming the file, never its content', () => {
    const secret = `zz${hex(31)}`;
    const bad = file('bad.txt', secret);
    let r = run(['keys', 'derive', '--ckn', CKN, '--cak-file', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`dxlab: --cak-file ${bad}: not hexadecimal\n`);
    const short = hex(24);
    const f24 = file('cak24.txt', short);
    r = run(['keys', 'derive', '--ckn', CKN, '--cak-file', f24]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`dxlab: --cak-file ${f24}: a CAK is 16 or 32 octets (32 or 64 hex digits), got 24\n`);
    expect(r.stderr).not.toContain(short);
    const empty = file('empty.txt', ' \n');
    expect(run(['keys', 'derive', '--ckn', CKN, '--cak-file', empty]).stderr).toBe(`dxlab: --cak-file ${empty}: no CAK in it\n`);
  });

  it('--cak of 24 octets says "16 or 32 octets"', () => {
    const r = run(['keys', 'derive', '--ckn', CKN, '--cak', hex(24)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/a CAK is 16 or 32 octets/);
  });

  it('--cak and --cak-file together, or a second pair where one is taken: exit 2', () => {
    const f = file('cak2.txt', CAK);
    expect(run(['keys', 'derive', '--ckn', CKN, '--cak', CAK, '--cak-file', f]).stderr).toBe('dxlab: give --cak or --cak-file, not both\n');
    const r = run(['keys', 'derive', '--ckn', CKN, '--ckn', CKN, '--cak-file', f, '--cak-file', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/takes one CKN\/CAK pair, got 2/);
  });

  it('--help names --cak-file', () => {
    expect(run(['keys', 'derive', '--help']).stdout).toMatch(/--cak-file\s+file holding the CAK as hex/);
  });
});

describe('dxlab pcap inspect|decrypt --ckn with --cak-file', () => {
  const k = captureKeys('mka-cak256.pcap');
  const other = { ckn: hex(32), cak: hex(32) };

  it('decrypt: pairs in order, one from stdin, give what --cak gives', () => {
    const byArg = JSON.parse(run(['pcap', 'decrypt', capturePath('mka-cak256.pcap'), '--out', join(tmp, 'a.pcap'), '--ckn', other.ckn, '--cak', other.cak, '--ckn', k.ckn!, '--cak', k.cak!, '--json']).stdout);
    expect(byArg.decrypted).toBe(k.frames.macsec);
    const f = file('other.txt', other.cak);
    const r = run(['pcap', 'decrypt', capturePath('mka-cak256.pcap'), '--out', join(tmp, 'b.pcap'), '--ckn', other.ckn, '--cak-file', f, '--ckn', k.ckn!, '--cak-file', '-', '--json'], { input: k.cak! });
    expect(r.stderr).toBe('');
    expect({ ...JSON.parse(r.stdout), out: 'x' }).toEqual({ ...byArg, out: 'x' });
  });

  it('decrypt: the pairs follow the order given (swapped files verify nothing)', () => {
    const f1 = file('k1.txt', other.cak);
    const f2 = file('k2.txt', k.cak!);
    const r = run(['pcap', 'decrypt', capturePath('mka-cak256.pcap'), '--out', join(tmp, 'c.pcap'), '--ckn', k.ckn!, '--cak-file', f1, '--ckn', other.ckn, '--cak-file', f2, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ decrypted: 0, icvErrors: k.frames.mka });
  });

  it('inspect: --cak-file - twice is refused, a missing file names it', () => {
    let r = run(['pcap', 'inspect', capturePath('mka-cak256.pcap'), '--ckn', k.ckn!, '--cak-file', '-', '--ckn', other.ckn, '--cak-file', '-']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('dxlab: --cak-file -: stdin can be read once only\n');
    r = run(['pcap', 'inspect', capturePath('mka-cak256.pcap'), '--ckn', k.ckn!, '--cak-file', join(tmp, 'missing')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--cak-file ${join(tmp, 'missing')}: cannot read: ENOENT`);
  });

  it('inspect: each MKPDU verifies with the CAK from the file', () => {
    const r = run(['pcap', 'inspect', capturePath('mka-cak256.pcap'), '--ckn', k.ckn!, '--cak-file', file('k3.txt', k.cak!), '--json']);
    const frames = JSON.parse(r.stdout).frames as Array<{ kind: string; outcome?: string }>;
    expect(frames.filter((f) => f.outcome === 'decrypted')).toHaveLength(k.frames.macsec);
  });

  it('--help of inspect and decrypt names --cak-file', () => {
    for (const sub of ['inspect', 'decrypt']) expect(run(['pcap', sub, '--help']).stdout).toContain('--cak-file');
  });
});

describe('dxlab node key add and dxlab set NODE PORT key add with --cak-file', () => {
  const sock = join(tmp, `rt-${hex(3)}.sock`);
  const stateDir = join(tmp, 'state');
  const lab = `k${hex(3)}`;
  const node = memoryRouter({ socket: sock, captureDir: tmp, macsec: { keyChain: [{ ckn: CKN, cak: CAK }] } });
  const env = { DXLAB_STATE_DIR: stateDir };

  beforeAll(async () => {
    await node.start();
    // A lab state that names this node's socket: what `dxlab set` looks up.
    mkdirSync(join(stateDir, lab), { recursive: true });
    writeFileSync(join(stateDir, lab, 'state.json'), JSON.stringify({ lab, kind: 'topology', topology: 'x.yaml', createdAt: '', captureDir: tmp, nodes: [{ name: 'rt', socket: sock }], links: [] }));
  });
  afterAll(() => node.stop());

  it('node key add --cak-file adds the pair', async () => {
    const ckn = hex(32);
    const r = await runAsync(['node', 'key', 'add', '--socket', sock, '--ckn', ckn, '--cak-file', file('n.txt', hex(32)), '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).keyChain).toEqual([CKN, ckn]);
  });

  it('set rt eth1 key add --cak-file adds the pair; a bad file changes nothing', async () => {
    const ckn = hex(16);
    const bad = file('s-bad.txt', hex(20));
    let r = await runAsync(['set', 'rt', 'eth1', 'key', 'add', '--name', lab, '--ckn', ckn, '--cak-file', bad], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`dxlab: --cak-file ${bad}: a CAK is 16 or 32 octets (32 or 64 hex digits), got 20\n`);
    r = await runAsync(['set', 'rt', 'eth1', 'key', 'add', '--name', lab, '--ckn', ckn, '--cak-file', file('s.txt', hex(16)), '--json'], { env });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).keyChain).toHaveLength(3);
    expect(JSON.parse(r.stdout).keyChain[2]).toBe(ckn);
  });

  it('a fourth pair, and a CKN already in the chain, are usage errors (exit 2) saying why', async () => {
    let r = await runAsync(['set', 'rt', 'eth1', 'key', 'add', '--name', lab, '--ckn', hex(32), '--cak-file', file('f4.txt', hex(32))], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds 3 pairs, the most there can be: remove one/);
    r = await runAsync(['node', 'key', 'add', '--socket', sock, '--ckn', CKN, '--cak-file', file('f5.txt', hex(32))]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/already in the key chain: an associated key cannot be modified/);
  });

  it('--help of set and node key add names --cak-file', () => {
    expect(run(['set', '--help']).stdout).toContain('--cak-file');
    expect(run(['node', 'key', 'add', '--help']).stdout).toContain('--cak-file');
  });
});

describe('dxlab link up --ckn with --cak-file', () => {
  it('a --ckn without its CAK, or a bad CAK file, is refused (exit 2) before anything is created', () => {
    const stateDir = join(tmp, 'link-state');
    const name = `k${hex(3)}`;
    let r = run(['link', 'up', name, '--ckn', hex(32)], { env: { DXLAB_STATE_DIR: stateDir } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ckn and --cak\/--cak-file come in pairs/);
    const bad = file('link-bad.txt', hex(17));
    r = run(['link', 'up', name, '--ckn', hex(32), '--cak-file', bad], { env: { DXLAB_STATE_DIR: stateDir } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`dxlab: --cak-file ${bad}: a CAK is 16 or 32 octets (32 or 64 hex digits), got 17\n`);
    expect(spawnSync('ls', [stateDir]).status).not.toBe(0);
  });

  it('--help names --ckn, --cak-file and where a generated pair goes', () => {
    // Compared without blanks: yargs wraps lines, also inside words.
    const h = run(['link', 'up', '--help']).stdout.replace(/\s+/g, '');
    expect(h).toContain('--cak-file');
    expect(h).toContain('afresh32-octetpairdrawnforthelab,in/run/dxlab/<name>/keys.json');
  });
});
