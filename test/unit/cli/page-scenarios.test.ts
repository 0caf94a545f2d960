/**
 * Which of lab/'s scenarios a lab's web page offers (src/cli/page-scenarios.ts):
 * those whose topology's nodes and link ends the lab has, a LAG member in
 * both or in neither. Lab states made up here; nothing runs.
 */
import { describe, expect, it } from 'vitest';
import type { LabState } from '../../../src/lab/index.js';
import { pageScenarios } from '../../../src/cli/page-scenarios.js';

const lab = (links: Array<{ a: string; b: string; type?: string }>, nodes = ['router', 'dx']) => ({ lab: 'x', nodes: nodes.map((name) => ({ name })), links }) as unknown as LabState;

describe('the scenarios a lab\'s page offers', () => {
  const host = pageScenarios();

  it('router-dx: the scenarios of a router and a DX device on one plain link, no LAG one', () => {
    const names = host.list(lab([{ a: 'router:eth1', b: 'dx:eth1' }])).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['should-encrypt-fallback', 'sak-rekey', 'cipher-mismatch']));
    expect(names).not.toContain('lag-member-failure');
    expect(names).not.toContain('topology-1');
  });

  it('a LAG of two members: its scenario, none written for a plain link', () => {
    const names = host.list(lab([{ a: 'router:eth1', b: 'dx:eth1', type: 'lag' }, { a: 'router:eth2', b: 'dx:eth2', type: 'lag' }])).map((s) => s.name);
    expect(names).toEqual(['lag-member-failure']);
  });

  it('a lab without those nodes: none', () => {
    expect(host.list(lab([{ a: 'a:eth1', b: 'b:eth1' }], ['a', 'b']))).toEqual([]);
  });
});
