import { expect } from 'vitest';
import { LabError, parseTopology } from '../../src/lab/index.js';

/** The LabError a topology text is refused with (fails the test when it is taken). */
export function topologyError(text: string): LabError {
  try {
    parseTopology(text, 'x.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return e as LabError;
  }
  throw new Error('the topology was taken');
}

/**
 * The text of the smallest lab: router r -- DX device d on eth1, with what a
 * test adds: fields on either node (`, speed: 100G`), lines under the link
 * (indented six spaces, each ending in a newline), a `defaults:` block.
 * The node lines stay at lines 4 and 5 so that errors can be checked by line.
 */
export function routerDxText(o: { router?: string; dx?: string; dxKind?: string; link?: string; defaults?: string } = {}): string {
  return `name: t
topology:
${o.defaults ?? ''}  nodes:
    r: { kind: router${o.router ?? ''} }
    d: { kind: ${o.dxKind ?? 'dx-device'}${o.dx ?? ''} }
  links:
    - endpoints: [r:eth1, d:eth1]
${o.link ?? ''}`;
}
