/**
 * One router node on memory wires (no root, no namespace): what the unit
 * tests of the control socket, captures and the CLI's key verbs drive.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { memoryWire, type FrameIo } from '../../src/io/index.js';
import { LabNode, resolveNodeConfig, type DeviceFactory } from '../../src/node/index.js';

/** A fresh memory wire per port and per TAP, or the given wire for every port. */
export function memoryDevices(wire?: FrameIo): DeviceFactory {
  return {
    wire: () => wire ?? memoryWire({ names: [`w-${randomBytes(3).toString('hex')}`, 'far'], mtu: 1600 })[0],
    tap: (t) => memoryWire({ names: [t.name, `${t.name}-host`], mtu: t.mtu })[0],
  };
}

export interface MemoryRouterOptions {
  socket: string;
  captureDir: string;
  /** The MACsec block of its one port, eth1. */
  macsec: Record<string, unknown>;
  /** TAP names on eth1. @default ['t0'] */
  taps?: string[];
  /** The wire of eth1. @default a fresh memory wire */
  wire?: FrameIo;
}

/** A router `rt` with one MACsec port eth1; start() and stop() are the caller's. */
export function memoryRouter(o: MemoryRouterOptions): LabNode {
  const config = {
    name: 'rt',
    kind: 'router',
    controlSocket: o.socket,
    captureDir: o.captureDir,
    logLevel: 'error',
    ports: [{ name: 'eth1', wire: 'w', taps: (o.taps ?? ['t0']).map((name) => ({ name })), macsec: o.macsec }],
  };
  return new LabNode(resolveNodeConfig(config, 'rt.yaml'), memoryDevices(o.wire));
}

/**
 * The configuration of a node `dx` (a dx-device) or any other name (a
 * router) for tests on memory wires: its control socket `SOCKET.sock` in
 * `dir` (SOCKET the name unless given), captures to `dir`, errors only in
 * the log, and the given ports (and anything else, such as lags).
 */
export function memoryNodeConfig(name: string, dir: string, rest: { ports: unknown[]; [k: string]: unknown }, socket = name): ReturnType<typeof resolveNodeConfig> {
  return resolveNodeConfig({ name, kind: name === 'dx' ? 'dx-device' : 'router', controlSocket: join(dir, `${socket}.sock`), captureDir: dir, logLevel: 'error', ...rest }, `${name}.yaml`);
}
