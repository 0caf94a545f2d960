/**
 * The control socket's `events` answer is bounded: a port keeps its newest
 * MAX_PORT_EVENTS events, and `events` answers those, oldest first. The
 * control fuzz target's slowest inputs are `events` requests over a full
 * ring (about 250 KB of JSON, README "Fuzzing"); this is the property that
 * keeps them there as a node's uptime grows, checked by count, not by time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { MAX_PORT_EVENTS, controlRequest } from '../../../src/node/index.js';
import { memoryRouter } from '../../helpers/memory-node.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('dxlab-ctl-events-');
const sock = join(tmp, 'rt.sock');
const node = memoryRouter({ socket: sock, captureDir: tmp, macsec: { keyChain: [{ ckn: '11'.repeat(32), cak: '22'.repeat(32) }], helloTimeMs: 200, lifeTimeMs: 600 } });

beforeAll(() => node.start());
afterAll(() => node.stop());

type Events = { events: Array<{ type: string; time: string; ckn?: string }> };

describe('control socket: events', () => {
  it(`keeps the newest ${MAX_PORT_EVENTS} of a port's events and answers them in time order`, async () => {
    const before = ((await controlRequest(sock, { cmd: 'events', port: 'eth1' })).result as Events).events.length;
    // Each pair added and removed switches the key chain: one KaY event each time.
    const pairs = MAX_PORT_EVENTS - before + 25;
    for (let i = 0; i < pairs; i++) {
      await controlRequest(sock, { cmd: 'addKey', port: 'eth1', ckn: '33'.repeat(16), cak: '44'.repeat(16) });
      await controlRequest(sock, { cmd: 'removeKey', port: 'eth1', ckn: '33'.repeat(16) });
    }
    const all = ((await controlRequest(sock, { cmd: 'events' })).result as Events).events;
    const one = ((await controlRequest(sock, { cmd: 'events', port: 'eth1' })).result as Events).events;
    expect(one).toEqual(all);
    expect(all).toHaveLength(MAX_PORT_EVENTS);
    // The oldest went: the port's `started` is no longer there, the last switch is.
    expect(all.map((e) => e.type)).not.toContain('started');
    expect(all.at(-1)!.type).toBe('keyChainSwitched');
    expect(all.map((e) => e.time)).toEqual(all.map((e) => e.time).sort());
  }, 60_000);
});
