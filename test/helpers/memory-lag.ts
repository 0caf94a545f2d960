/**
 * Two nodes joined by a LAG on memory wires (no root), as the LAG unit tests
 * build them: each node's ports eth1..ethN with MACsec on the fast MKA
 * timers (hello 200 ms, Life Time 600 ms), eth1 and eth2 the members of
 * `lag1`, and TAPs whose far ends the test holds.
 */
import { memoryWire, type FrameIo } from '../../src/io/index.js';
import { resolveNodeConfig, type DeviceFactory } from '../../src/node/index.js';

export interface LagNodeOptions {
  priority: number;
  socket: string;
  captureDir: string;
  ckn: string;
  /** One CAK for every port, or port i's at [i - 1]. */
  cak: string | readonly string[];
  /** @default 2: eth1 and eth2, the LAG's members; more are ports of their own. */
  ports?: number;
  mode?: string;
  minimumLinks?: number;
  /** The LAG's TAPs. @default none */
  lagTaps?: Array<{ name: string }>;
}

export function lagNodeConfig(name: string, o: LagNodeOptions) {
  const port = (i: number) => ({
    name: `eth${i}`,
    wire: `${name}-w${i}`,
    macsec: { mode: o.mode ?? 'should_encrypt', keyChain: [{ ckn: o.ckn, cak: typeof o.cak === 'string' ? o.cak : o.cak[i - 1]! }], keyServerPriority: o.priority, helloTimeMs: 200, lifeTimeMs: 600, sciPort: i },
  });
  return resolveNodeConfig(
    {
      name,
      kind: name === 'dx' ? 'dx-device' : 'router',
      controlSocket: o.socket,
      captureDir: o.captureDir,
      logLevel: 'error',
      ports: Array.from({ length: o.ports ?? 2 }, (_, i) => port(i + 1)),
      lags: [{ name: 'lag1', members: ['eth1', 'eth2'], minimumLinks: o.minimumLinks ?? 0, taps: o.lagTaps ?? [] }],
    },
    `${name}.yaml`,
  );
}

/** A DeviceFactory's `tap` making memory TAPs, each one's far end kept in `hosts` by the TAP's name. */
export function hostTaps(): { hosts: Map<string, FrameIo>; tap: DeviceFactory['tap'] } {
  const hosts = new Map<string, FrameIo>();
  return {
    hosts,
    tap: (t) => {
      const [ours, host] = memoryWire({ names: [t.name, `${t.name}-host`], mtu: t.mtu });
      hosts.set(t.name, host);
      return ours;
    },
  };
}
