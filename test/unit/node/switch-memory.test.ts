/**
 * AWS topology 1 on the memory wire: a router with a plain port, a switch
 * that bridges its customer port to its MACsec port, and the DX device.
 * MACsec runs switch to DX; the router's frames cross it; the bridge keeps
 * frames to the 802.1D reserved addresses (MKPDUs, LACP, LLDP) on their link.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { memoryWire, type FrameIo } from '../../../src/io/index.js';
import { LabNode, resolveNodeConfig, type DeviceFactory } from '../../../src/node/index.js';
import { isMacsecFrame } from '../../../src/macsec/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { until } from '../../helpers/until.js';

const tmp = tempDir();
const macsec = { keyChain: [{ ckn: '33'.repeat(32), cak: '44'.repeat(32) }], helloTimeMs: 200, lifeTimeMs: 600 };

function cfg(name: string, kind: string, ports: unknown[], bridge?: string[]) {
  return resolveNodeConfig({ name, kind, controlSocket: join(tmp, `${name}.sock`), logLevel: 'error', captureDir: tmp, ports, ...(bridge ? { bridge } : {}) }, `${name}.yaml`);
}

describe('router -- switch -- DX device', () => {
  const [rtWire, swCust] = memoryWire({ names: ['rt-w', 'sw-cust'], mtu: 1600 });
  const [swUp, dxWire] = memoryWire({ names: ['sw-up', 'dx-w'], mtu: 1600, macs: [Uint8Array.of(2, 0, 0, 0, 5, 1), Uint8Array.of(2, 0, 0, 0, 5, 2)] });
  // What each node's wire sees, for the assertions on the link between switch and DX device.
  const onSwitchUplink: Uint8Array[] = [];
  const hosts = new Map<string, FrameIo>();
  const tapOf = (name: string, mtu: number) => {
    const [ours, host] = memoryWire({ names: [name, `${name}-host`], mtu });
    hosts.set(name, host);
    return ours;
  };
  const devs = (wires: Record<string, FrameIo>): DeviceFactory => ({ wire: (p) => wires[p.name]!, tap: (t) => tapOf(t.name, t.mtu) });
  const tappedUp: FrameIo = {
    ...swUp,
    name: swUp.name,
    kind: swUp.kind,
    send: (frames) => {
      onSwitchUplink.push(...frames);
      return swUp.send(frames);
    },
    start: (f, e) => swUp.start(f, e),
    stop: () => swUp.stop(),
    stats: () => swUp.stats(),
    mac: () => swUp.mac(),
    mtu: () => swUp.mtu(),
    close: () => swUp.close(),
    isClosed: () => swUp.isClosed(),
    isStarted: () => swUp.isStarted(),
  };
  const rt = new LabNode(cfg('rt', 'router', [{ name: 'eth1', wire: 'rt-w', taps: [{ name: 'rt0' }] }]), devs({ eth1: rtWire }));
  const sw = new LabNode(
    cfg('sw', 'switch', [{ name: 'cust', wire: 'sw-cust' }, { name: 'uplink', wire: 'sw-up', macsec: { ...macsec, keyServerPriority: 32 } }], ['cust', 'uplink']),
    devs({ cust: swCust, uplink: tappedUp }),
  );
  const dx = new LabNode(cfg('dx', 'dx-device', [{ name: 'eth1', wire: 'dx-w', taps: [{ name: 'dx0' }], macsec: { ...macsec, keyServerPriority: 16 } }]), devs({ eth1: dxWire }));
  afterAll(async () => {
    for (const n of [rt, sw, dx]) await n.stop();
  });

  it('MACsec secures switch to DX; the router\'s frames cross it encrypted; reserved-address frames stay on their link', async () => {
    for (const n of [rt, sw, dx]) await n.start();
    const secured = (n: LabNode, port: string) => (n.port(port).status() as { kay?: { secured: boolean } }).kay?.secured === true;
    await until(() => secured(sw, 'uplink') && secured(dx, 'eth1'));
    const got: Uint8Array[] = [];
    hosts.get('dx0')!.start((fs) => got.push(...fs));
    hosts.get('rt0')!.start(() => undefined);
    const ip = new Uint8Array(100).fill(0x45);
    ip.set([2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 8, 0x08, 0x00]);
    const lldpLike = new Uint8Array(60).fill(1);
    lldpLike.set([0x01, 0x80, 0xc2, 0x00, 0x00, 0x03, 2, 0, 0, 0, 0, 8, 0x88, 0x8e]);
    onSwitchUplink.length = 0;
    hosts.get('rt0')!.send([ip, lldpLike]);
    // Both frames accounted for, instead of a pause for a frame that should
    // not come: the IP frame reached the DX device, the reserved-address one
    // was filtered by the switch (a reserved group address, 802.1Q table 8-1),
    // so nothing else is on its way.
    await until(() => got.length >= 1 && sw.port('cust').counters.bridgeFiltered >= 1);
    expect(got.map((f) => Buffer.from(f).toString('hex'))).toEqual([Buffer.from(ip).toString('hex')]);
    const data = onSwitchUplink.filter((f) => !(f[12] === 0x88 && f[13] === 0x8e && f[0] === 0x01));
    expect(data.length).toBe(1);
    expect(isMacsecFrame(data[0]!)).toBe(true);
    expect(sw.port('cust').counters.bridgeFiltered).toBe(1);
  });
});
