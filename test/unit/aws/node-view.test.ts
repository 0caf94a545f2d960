/**
 * What the AWS binding reads from a DX node's `status` (src/aws/lab/node-view.ts):
 * a node's answer in the shape src/node/node.ts gives it, and answers that
 * lack fields or hold the wrong types, which read as unknown, never as a crash.
 */
import { describe, expect, it } from 'vitest';
import { nodeView } from '../../../src/aws/lab/node-view.js';

describe('nodeView', () => {
  it("takes the process's startedAt, and every VIF TAP: a port's, a LAG's without BGP, and those of the BGP speakers", () => {
    const v = nodeView({
      name: 'dx',
      pid: 7,
      startedAt: '2026-12-07T03:00:00.000Z',
      ports: [{ name: 'eth1', taps: [{ name: 'dxv1', vlan: 100, mtu: 1500 }], kay: { mode: 'must_encrypt', secured: true, keyChain: { inUse: 'ab' }, participants: [{ ckn: 'ab', keyChainIndex: 0 }] } }],
      lags: [{ name: 'lag1', minimumLinks: 1, logicalPortUp: true, ports: [{ name: 'eth2', lacpEnabled: true }], taps: [{ name: 'dxlag', vlan: 200, mtu: 1500 }] }],
      vifs: [
        { name: 'dxv1', port: 'eth1', vlan: 100, bgp: [{ state: 'Established' }] },
        { name: 'dxlag', port: 'lag1', vlan: 200, bgp: [] },
      ],
      bgp: [{ tap: 'dxv1', state: 'Established' }],
    });
    expect(v.startedAt).toBe('2026-12-07T03:00:00.000Z');
    expect([...v.taps].sort()).toEqual(['dxlag', 'dxv1']);
    expect(v.bgp.get('dxv1')).toEqual(['Established']);
    expect(v.ports.get('eth1')).toEqual({ mode: 'must_encrypt', ckns: ['AB'], secured: true, cknInUse: 'AB', taps: ['dxv1'] });
  });

  it('an answer with fields missing or of the wrong type reads as nothing known', () => {
    for (const bad of [undefined, null, 'x', 7, [], { startedAt: 5, ports: 'no', vifs: [null, { name: 3 }], bgp: {}, lags: [1] }]) {
      const v = nodeView(bad);
      expect(v.startedAt).toBeUndefined();
      expect([v.ports.size, v.lags.size, v.bgp.size, v.taps.size]).toEqual([0, 0, 0, 0]);
    }
  });
});
