/**
 * The README stays true: its example node configuration is a valid one, and
 * every dxlab verb it shows exists.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { resolveNodeConfig } from '../../src/node/index.js';
import { ROOT, dxlab } from '../helpers/cli.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('the example node configuration passes the schema', () => {
    const block = /## Running a node by hand[\s\S]*?```yaml\n([\s\S]*?)```/.exec(README)?.[1];
    expect(block).toBeDefined();
    const doc = parse(block!.replaceAll('"<64 hex>"', `"${'ab'.repeat(32)}"`));
    const c = resolveNodeConfig(doc, 'README.md');
    expect(c.ports[0]!.taps.map((t) => t.vlan)).toEqual([undefined, 100]);
    expect(c.ports[0]!.macsec!.keyChain).toHaveLength(1);
  });

  it('each heading is on a line of its own, once (it had "## Layout## Layout")', () => {
    const headings = README.split('\n').filter((l) => /^#+ /.test(l));
    expect(headings.filter((h) => /#{2,} /.test(h.replace(/^#+ /, '')))).toEqual([]);
    const top = headings.filter((h) => /^## /.test(h));
    expect(top.filter((h, i) => top.indexOf(h) !== i)).toEqual([]);
  });

  it('no text says the lab runtime is still to come', () => {
    for (const f of ['lab/README.md', 'topologies/README.md', 'docker-compose.yml']) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      expect(text, f).not.toMatch(/once the lab runtime exists|arrive with the|\bPlanned\b/i);
    }
  });

  it('every `dxlab <verb> <subverb>` it shows has --help', () => {
    const cmds = new Set([...README.matchAll(/dxlab ((?:pcap|keys|node|link|api) [a-z]+)/g)].map((m) => m[1]!));
    expect(cmds.size).toBeGreaterThan(8);
    for (const c of cmds) {
      const [verb, sub] = c.split(' ');
      const r = dxlab(verb!, sub!, '--help');
      expect(r.status, `dxlab ${c} --help: ${r.stderr}`).toBe(0);
    }
    // One CLI start per command, a score of them in a row: seconds each on a loaded machine.
  }, 240_000);
});
