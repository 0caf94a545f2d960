/**
 * A topology's key chain: at most three pairs, each CKN once (AWS,
 * directconnect-api.md V6, V7), refused with the file, the line and the YAML path.
 */
import { describe, expect, it } from 'vitest';
import { parseTopology, LabError } from '../../../src/lab/index.js';
import { routerDxText, topologyError } from '../../helpers/topology-error.js';

const pair = (c: string, k: string) => `{ ckn: "${c.repeat(64)}", cak: "${k.repeat(64)}" }`;

function topo(chain: string[], where: 'link' | 'defaults'): string {
  const list = `[${chain.join(', ')}]`;
  return routerDxText({
    defaults: where === 'defaults' ? `  defaults:\n    macsec:\n      keyChain: ${list}\n` : '',
    link: `      macsec: ${where === 'link' ? `{ keyChain: ${list} }` : 'true'}\n`,
  });
}

const err = topologyError;

describe('topology key chains', () => {
  it('three pairs with distinct CKNs are taken', () => {
    const t = parseTopology(topo([pair('1', 'a'), pair('2', 'b'), pair('3', 'c')], 'link'), 'x.yaml');
    expect(t.links[0]!.macsec!.keyChain).toHaveLength(3);
  });

  it('a fourth pair is refused', () => {
    const e = err(topo([pair('1', 'a'), pair('2', 'b'), pair('3', 'c'), pair('4', 'd')], 'link'));
    expect(e.message).toMatch(/^x\.yaml:\d+: topology\.links\.0\.macsec\.keyChain: must NOT have more than 3 items/);
  });

  it('one CKN twice in a link\'s chain is refused, naming the second', () => {
    const e = err(topo([pair('1', 'a'), pair('2', 'b'), pair('1', 'c')], 'link'));
    expect(e.message).toMatch(/^x\.yaml:8: topology\.links\.0\.macsec\.keyChain\.2\.ckn: CKN 1{64} is already in this key chain/);
  });

  it('one CKN twice in the defaults\' chain, upper and lower case, is refused there', () => {
    const e = err(topo([pair('a', '1'), pair('A', '2')], 'defaults'));
    expect(e.message).toMatch(/^x\.yaml:5: topology\.defaults\.macsec\.keyChain\.1\.ckn: CKN a{64} is already in this key chain/);
  });
});
