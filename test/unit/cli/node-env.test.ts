/**
 * The node's environment overrides are read in one place, the node process
 * entry (src/cli/node-env.ts), and handed to the configuration as options:
 * DXLAB_CRYPTO picks the engine over the file's `crypto`, `dxlab node
 * --crypto` over both, DXLAB_FASTPATH=0 turns the fast path off. A bad value
 * is a usage error naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { nodeDeviceOptions, nodeOverrides } from '../../../src/cli/node-env.js';
import { CliError } from '../../../src/cli/errors.js';
import { memoryWire } from '../../../src/io/index.js';
import { MacsecPort, createLogger, resolveNodeConfig, type NodeOverrides } from '../../../src/node/index.js';

const doc = {
  name: 'n',
  kind: 'router',
  crypto: 'native',
  ports: [{ name: 'eth1', wire: 'w', macsec: { keyChain: [{ ckn: '11'.repeat(32), cak: '22'.repeat(32) }] } }],
};

function port(overrides: NodeOverrides): MacsecPort {
  const config = resolveNodeConfig(doc, 'n.yaml', overrides);
  const [wire] = memoryWire({ names: ['w', 'w-peer'], mtu: 1600 });
  return new MacsecPort(config.ports[0]!, { wire, taps: [], now: () => 0, wallNs: () => 0n, log: createLogger('error', 'test', () => {}), onEvent: () => {} });
}

describe('node environment overrides', () => {
  it('none set: nothing overridden', () => {
    expect(nodeOverrides({})).toEqual({});
    expect(nodeOverrides({ DXLAB_CRYPTO: '', DXLAB_FASTPATH: '' })).toEqual({});
  });

  it('DXLAB_CRYPTO, and --crypto over it', () => {
    expect(nodeOverrides({ DXLAB_CRYPTO: 'node' })).toEqual({ crypto: 'node' });
    expect(nodeOverrides({ DXLAB_CRYPTO: 'node' }, 'native')).toEqual({ crypto: 'native' });
    expect(port(nodeOverrides({ DXLAB_CRYPTO: 'node' })).status().crypto).toBe('node');
    // An engine of the addon forced by name: the port runs that one and says so.
    expect(nodeOverrides({ DXLAB_CRYPTO: 'ipsec-mb' })).toEqual({ crypto: 'ipsec-mb' });
    expect(nodeOverrides({ DXLAB_CRYPTO: 'native' }, 'openssl')).toEqual({ crypto: 'openssl' });
    expect(port(nodeOverrides({ DXLAB_CRYPTO: 'openssl' })).status().crypto).toBe('openssl');
  });

  it('DXLAB_FASTPATH=0 turns the fast path off, and the port says why', () => {
    expect(nodeOverrides({ DXLAB_FASTPATH: '0' })).toEqual({ fastPath: false });
    expect(nodeOverrides({ DXLAB_FASTPATH: '1' })).toEqual({ fastPath: true });
    const config = resolveNodeConfig(doc, 'n.yaml', nodeOverrides({ DXLAB_FASTPATH: '0' }));
    expect(config.ports[0]!.macsec!.fastPath).toBe(false);
    expect(resolveNodeConfig(doc, 'n.yaml', {}).ports[0]!.macsec!.fastPath).toBeUndefined();
    const s = port({ fastPath: false }).fastPathStatus();
    expect(s.active).toBe(false);
    expect(s.reason).toMatch(/DXLAB_FASTPATH=0/);
  });

  it('DXLAB_TAP_OFFLOAD, DXLAB_TAP_COALESCE and DXLAB_PACKET_RING say how the devices open', () => {
    expect(nodeDeviceOptions({})).toEqual({});
    expect(nodeDeviceOptions({ DXLAB_TAP_OFFLOAD: '0', DXLAB_TAP_COALESCE: '0', DXLAB_PACKET_RING: 'v3' })).toEqual({ tapOffload: false, tapCoalesce: false, packetRing: 'v3' });
    expect(nodeDeviceOptions({ DXLAB_TAP_OFFLOAD: '1', DXLAB_PACKET_RING: 'off' })).toEqual({ tapOffload: true, packetRing: 'off' });
  });

  it('DXLAB_BATCH, DXLAB_BUSY_POLL_US, DXLAB_SO_BUSY_POLL and DXLAB_SERVE_ORDER: the data-path experiments', () => {
    expect(nodeDeviceOptions({ DXLAB_BATCH: '256', DXLAB_BUSY_POLL_US: '50', DXLAB_SO_BUSY_POLL: '0', DXLAB_SERVE_ORDER: 'wire' })).toEqual({
      batch: 256,
      busyPollUs: 50,
      soBusyPoll: 0,
      serve: 'wire',
    });
    expect(nodeDeviceOptions({ DXLAB_BATCH: '1', DXLAB_BUSY_POLL_US: '1000', DXLAB_SERVE_ORDER: 'own' })).toEqual({ batch: 1, busyPollUs: 1000, serve: 'own' });
    expect(nodeDeviceOptions({ DXLAB_BATCH: '', DXLAB_SERVE_ORDER: '' })).toEqual({});
  });

  it.each([
    [() => nodeDeviceOptions({ DXLAB_BATCH: '0' }), /DXLAB_BATCH must be a whole number 1 to 1024 \(frames per read batch, 64 by default\), got '0'/],
    [() => nodeDeviceOptions({ DXLAB_BATCH: '1025' }), /DXLAB_BATCH must be a whole number 1 to 1024/],
    [() => nodeDeviceOptions({ DXLAB_BATCH: '64k' }), /DXLAB_BATCH must be a whole number/],
    [() => nodeDeviceOptions({ DXLAB_BUSY_POLL_US: '-5' }), /DXLAB_BUSY_POLL_US must be a whole number 0 to 1000/],
    [() => nodeDeviceOptions({ DXLAB_BUSY_POLL_US: '1e3' }), /DXLAB_BUSY_POLL_US must be a whole number 0 to 1000/],
    [() => nodeDeviceOptions({ DXLAB_SO_BUSY_POLL: '2000' }), /DXLAB_SO_BUSY_POLL must be a whole number 0 to 1000/],
    [() => nodeDeviceOptions({ DXLAB_SERVE_ORDER: 'both' }), /DXLAB_SERVE_ORDER must be own, wire or tap, got 'both'/],
    [() => nodeDeviceOptions({ DXLAB_TAP_OFFLOAD: 'no' }), /DXLAB_TAP_OFFLOAD must be 0 or 1/],
    [() => nodeDeviceOptions({ DXLAB_TAP_COALESCE: 'off' }), /DXLAB_TAP_COALESCE must be 0 or 1/],
    [() => nodeDeviceOptions({ DXLAB_PACKET_RING: 'v4' }), /DXLAB_PACKET_RING must be off, v2 or v3, got 'v4'/],
  ])('a bad device variable is a usage error naming it (%#)', (f, message) => {
    expect(f).toThrow(CliError);
    expect(f).toThrow(message);
  });

  it.each([
    [{ DXLAB_CRYPTO: 'fast' }, /DXLAB_CRYPTO must be one of native, openssl, ipsec-mb, node, got 'fast'/],
    [{ DXLAB_FASTPATH: 'off' }, /DXLAB_FASTPATH must be 0 \(off\) or 1/],
  ])('%j is a usage error naming the variable', (env, message) => {
    let err: unknown;
    try {
      nodeOverrides(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).code).toBe('usage');
    expect((err as CliError).message).toMatch(message);
  });
});
