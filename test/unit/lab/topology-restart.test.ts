/** A topology node's `restart:` policy (the lab supervisor's), and the node names a lab's own files take. */
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../src/lab/index.js';
import { topologyError } from '../../helpers/topology-error.js';

const base = `name: t
topology:
  nodes:
    r: { kind: router }
    d: { kind: dx-device }
  links:
    - endpoints: [r:eth1, d:eth1]
`;

describe('restart:', () => {
  it('always, on-failure and never are taken on any kind; absent, the node has none (never)', () => {
    const t = parseTopology(base.replace('{ kind: router }', '{ kind: router, restart: on-failure }').replace('{ kind: dx-device }', '{ kind: dx-device, restart: always }'), 'x.yaml');
    expect(t.nodes.map((n) => [n.name, n.restart])).toEqual([
      ['r', 'on-failure'],
      ['d', 'always'],
    ]);
    expect(t.nodes[0]!.options).toEqual({});
    expect(parseTopology(base, 'x.yaml').nodes.map((n) => n.restart)).toEqual([undefined, undefined]);
    expect(parseTopology(base.replace('{ kind: router }', '{ kind: router, restart: never }'), 'x.yaml').nodes[0]!.restart).toBe('never');
  });

  it('another value is refused naming the file, the line and the field', () => {
    expect(topologyError(base.replace('{ kind: router }', '{ kind: router, restart: sometimes }')).message).toBe('x.yaml:4: topology.nodes.r.restart: must be one of "never", "always", "on-failure"');
  });
});

describe('reserved node names', () => {
  for (const name of ['supervisor', 'state', 'keys', 'topology']) {
    it(`a node named ${name} is refused: ${name}.* in the lab's folder are the lab's own files`, () => {
      const e = topologyError(base.replaceAll('r:', `${name}:`).replace('    r: {', `    ${name}: {`));
      expect(e.message).toMatch(new RegExp(`^x\\.yaml:4: topology\\.nodes\\.${name}: '${name}' is not a node name`));
    });
  }
});
