/**
 * A lab or node name is checked before anything is touched (a defect once
 * let `dxlab down ../../tmp/victim` delete /tmp/victim). Every verb that takes a lab
 * name gets `..`, relative and absolute paths to a victim folder, a name with
 * a slash, and a symbolic link in the state root that leads to the victim;
 * each is refused with one line on stderr and the victim keeps every file.
 * `down` without a name removes only a lab this user started from this
 * checkout. All of it under a scratch folder the test creates, with
 * DXLAB_STATE_DIR pointed at a scratch state root inside it.
 *
 * The matrix runs the CLI's main() in this process (the same code as the
 * command, without a Node start per case); a few cases also run the built
 * command itself for its exit status.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { CHECKOUT } from '../../../src/lab/index.js';
import { delNetns } from '../../../src/lab/host.js';
import { ROOT } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

const scratch = tempDir('dxlab-names-');
const root = join(scratch, 'state');
const victim = join(scratch, 'victim');
const VICTIM_FILES = ['keep.txt', 'rt.json', 'rt.log', 'state.json'];
// Unique per run: if a verb wrongly went ahead, its namespaces would not meet another run's.
const evil = `s${randomBytes(3).toString('hex')}`;
const good = `g${randomBytes(3).toString('hex')}`;
const saved = process.env.DXLAB_STATE_DIR;

beforeAll(() => {
  mkdirSync(root);
  mkdirSync(victim);
  for (const f of VICTIM_FILES) writeFileSync(join(victim, f), 'must survive\n');
  symlinkSync(victim, join(root, evil));
  process.env.DXLAB_STATE_DIR = root;
  process.setMaxListeners(0);
  process.stdout.setMaxListeners(0);
});
afterAll(() => {
  if (saved === undefined) delete process.env.DXLAB_STATE_DIR;
  else process.env.DXLAB_STATE_DIR = saved;
  // Nothing of the symlinked name may exist; should a verb have gone ahead,
  // its namespaces go (delNetns kills what runs in them first).
  for (const ns of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!)) {
    if (ns.startsWith(`dxlab-${evil}-`)) delNetns(ns);
  }
  rmSync(join(ROOT, 'pcaps', evil), { recursive: true, force: true });
});

function victimIntact(): void {
  expect(existsSync(victim)).toBe(true);
  expect(readdirSync(victim).sort()).toEqual(VICTIM_FILES);
  for (const f of VICTIM_FILES) expect(readFileSync(join(victim, f), 'utf8')).toBe('must survive\n');
}

/** main() in this process: exit status, stdout and stderr. */
async function run(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const status = await main(argv);
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

const TOPO = join(ROOT, 'topologies/router-dx.yaml');
/** Every verb that takes a lab name, with that name in it. */
const VERBS: Array<[string, (n: string) => string[]]> = [
  ['up', (n) => ['up', TOPO, '--name', n]],
  ['down', (n) => ['down', n]],
  ['down --name', (n) => ['down', '--name', n]],
  ['status', (n) => ['status', '--name', n]],
  ['show', (n) => ['show', 'mka', 'router', '--name', n]],
  ['events', (n) => ['events', 'router', '--name', n]],
  ['exec', (n) => ['exec', 'router', '--name', n, '--', 'true']],
  ['capture', (n) => ['capture', 'router', 'eth1', '--wire', '--duration', '1', '--name', n]],
  ['set', (n) => ['set', 'router', 'eth1', 'rekey', '--name', n]],
  ['demo', (n) => ['demo', '--name', n]],
  ['link up', (n) => ['link', 'up', n, '--fast']],
  ['link down', (n) => ['link', 'down', n]],
  ['link status', (n) => ['link', 'status', n]],
];
/** Names that are paths: each reaches the victim (or the folder holding it) from the state root. */
const NOT_NAMES = ['..', '../victim', `../../${basename(scratch)}/victim`, victim, 'x/../../victim', 'a/b', '../'];

describe('a lab name that is a path is refused by every verb, before anything is touched', () => {
  for (const [verb, args] of VERBS) {
    it(verb, async () => {
      for (const name of NOT_NAMES) {
        const r = await run(...args(name));
        expect(r.status, `${verb} ${name}: ${r.stderr}`).toBe(2);
        expect(r.stderr.trim().split('\n'), `${verb} ${name}`).toHaveLength(1);
        expect(r.stderr).toContain(`lab name '${name}'`);
        victimIntact();
      }
    });
  }
});

describe('a symbolic link in the state root, leading to the victim, is refused by every verb', () => {
  for (const [verb, args] of VERBS) {
    it(verb, async () => {
      const r = await run(...args(evil));
      expect(r.status, `${verb}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr.trim().split('\n'), verb).toHaveLength(1);
      // Reading verbs and down say it is a link; up, link up and demo find the name taken.
      expect(r.stderr).toMatch(/symbolic link|exists already/);
      victimIntact();
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${evil}-`);
    });
  }
});

describe('node names', () => {
  it('show, events, exec, capture and set refuse a node name that is not one', async () => {
    mkdirSync(join(root, good));
    writeFileSync(join(root, good, 'state.json'), JSON.stringify({ lab: good, kind: 'topology', owner: { uid: 0, checkout: CHECKOUT }, topology: TOPO, nodes: [{ name: 'router', socket: join(root, good, 'router.sock') }], links: [] }));
    try {
      for (const node of ['..', '../x', '/etc', 'a/b', 'Router']) {
        for (const args of [['show', 'mka', node], ['events', node], ['exec', node, '--', 'true'], ['capture', node, 'eth1', '--wire', '--duration', '1'], ['set', node, 'eth1', 'rekey']]) {
          const r = await run(...args, '--name', good);
          expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
          expect(r.stderr).toContain(`node name '${node}'`);
        }
      }
    } finally {
      expect((await run('down', good)).status).toBe(0);
    }
    expect(existsSync(join(root, good))).toBe(false);
    victimIntact();
  });
});

describe('down without a name', () => {
  const lab = (name: string, owner?: object) => {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'state.json'), JSON.stringify({ lab: name, kind: 'topology', ...(owner ? { owner } : {}), nodes: [], links: [] }));
  };
  const uid = process.getuid?.() ?? -1;

  it("refuses the only lab when another user started it, or another checkout, or its state names no owner", async () => {
    for (const owner of [{ uid: uid + 4242, checkout: CHECKOUT }, { uid, checkout: join(scratch, 'other-checkout') }, undefined]) {
      const name = `o${randomBytes(3).toString('hex')}`;
      lab(name, owner);
      const r = await run('down');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`the only lab, ${name}`);
      expect(r.stderr).toContain(`dxlab down ${name}`);
      expect(existsSync(join(root, name, 'state.json'))).toBe(true);
      // Named, it goes.
      expect((await run('down', name)).status).toBe(0);
      expect(existsSync(join(root, name))).toBe(false);
    }
  });

  it('with several labs, names them all and removes none', async () => {
    const names = [`p${randomBytes(3).toString('hex')}`, `q${randomBytes(3).toString('hex')}`];
    for (const n of names) lab(n, { uid, checkout: CHECKOUT });
    const r = await run('down');
    expect(r.status).toBe(2);
    for (const n of names) expect(r.stderr).toContain(n);
    for (const n of names) expect(existsSync(join(root, n, 'state.json'))).toBe(true);
    for (const n of names) expect((await run('down', n)).status).toBe(0);
  });

  it('takes the only lab when this user started it from this checkout', async () => {
    const name = `m${randomBytes(3).toString('hex')}`;
    lab(name, { uid, checkout: CHECKOUT });
    const r = await run('down', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ lab: name, leftover: [] });
    expect(existsSync(join(root, name))).toBe(false);
  });
});

describe('the built command', () => {
  const dxlab = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/dxlab.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DXLAB_STATE_DIR: root } });
  it('down ../victim, down of an absolute path and of the symbolic link: exit 2, 2 and 1, one line, the victim intact', () => {
    for (const [name, status] of [['../victim', 2], [victim, 2], [evil, 1]] as const) {
      const r = dxlab('down', name);
      expect(r.status, r.stderr).toBe(status);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
      victimIntact();
    }
  });
});
