/**
 * Lines through a node's control socket: a router on memory wires (no root)
 * answers each line on a connection of its own. Seeds: a valid request of
 * every command; mutations change the JSON text and its members. The
 * outcome is `ok CMD` or `error CODE`; an `internal` error (a throw that is
 * not the node's own refusal), no answer, or an answer that carries the
 * CAK is a finding. Capture paths are kept inside the run's scratch folder
 * (a few names), so that the fuzz writes nowhere else.
 */
import { createConnection } from 'node:net';
import { basename, isAbsolute, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { memoryRouter } from '../../helpers/memory-node.js';
import type { FuzzTarget, Rand } from '../target.js';
import { mutateText, octetsOf, textOf } from '../mutators.js';

const CKN = '11'.repeat(32);
const CAK = '22'.repeat(32);
const OTHER = { ckn: '33'.repeat(16), cak: '44'.repeat(16) };

const REQUESTS: Array<Record<string, unknown>> = [
  { id: 1, cmd: 'status' },
  { id: 2, cmd: 'status', port: 'eth1' },
  { id: 3, cmd: 'counters', port: 'eth1' },
  { id: 4, cmd: 'events', port: 'eth1' },
  { id: 5, cmd: 'events', follow: true },
  { id: 6, cmd: 'addKey', port: 'eth1', ...OTHER },
  { id: 7, cmd: 'removeKey', port: 'eth1', ckn: OTHER.ckn },
  { id: 8, cmd: 'setMode', port: 'eth1', mode: 'must_encrypt' },
  { id: 9, cmd: 'set', port: 'eth1', knob: 'replayWindow', value: 64 },
  { id: 10, cmd: 'set', port: 'eth1', knob: 'cipherSuites', value: ['gcm-aes-256'] },
  { id: 11, cmd: 'set', port: 'eth1', knob: 'eapolDestination', value: '01:80:c2:00:00:03' },
  { id: 12, cmd: 'rekey', port: 'eth1' },
  { id: 13, cmd: 'capture', port: 'eth1', side: 'wire', path: '/scratch/c0.pcapng', durationS: 1 },
  { id: 14, cmd: 'capture', port: 'eth1', stop: true },
  { id: 15, cmd: 'bgp' },
  { id: 16, cmd: 'addVif', port: 'eth1', tap: { name: 'fz0', vlan: 300, mtu: 1500, addresses: ['192.0.2.1/30'] } },
  { id: 17, cmd: 'moveVif', name: 'fz0', to: 'eth1', vlan: 301 },
  { id: 18, cmd: 'removeVif', name: 'fz0' },
];

const EDGE_VALUES: unknown[] = [null, true, 0, -1, 1.5, 2 ** 53, '', 'eth1', 'eth9', 'x'.repeat(70_000), [], {}, ['gcm-aes-128'], '../../etc', '/proc/self/x', 'ab'];

function mutateMembers(seed: string, r: Rand): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(seed) as Record<string, unknown>;
  } catch {
    return seed;
  }
  const keys = Object.keys(o);
  const k = keys[Math.floor(r() * keys.length)] ?? 'cmd';
  const op = Math.floor(r() * 3);
  if (op === 0) o[k] = EDGE_VALUES[Math.floor(r() * EDGE_VALUES.length)];
  else if (op === 1) delete o[k];
  else o[['port', 'ckn', 'cak', 'knob', 'value', 'follow', 'stop', 'side', 'path', 'tap', 'prefixes', 'name', 'to', 'vlan'][Math.floor(r() * 14)]!] = EDGE_VALUES[Math.floor(r() * EDGE_VALUES.length)];
  return JSON.stringify(o);
}

/**
 * Capture paths stay in the scratch folder, under one of four names; a VIF
 * gets no BGP session (on memory wires its TCP would leave from the host's
 * own stack, towards whatever address the mutation made).
 */
function confine(line: string, scratch: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return line;
  if (o.tap && typeof o.tap === 'object' && !Array.isArray(o.tap)) delete (o.tap as Record<string, unknown>).bgp;
  for (const f of ['path', 'stop']) {
    const v = o[f];
    if (typeof v === 'string' && isAbsolute(v) && !/^\/(proc|sys|dev)(\/|$)/.test(v)) o[f] = join(scratch, `c${basename(v).length % 4}.pcapng`);
  }
  return JSON.stringify(o);
}

/** Sends one line on a fresh connection and resolves with the first answer line (not an event). */
function ask(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection(socket);
    let buf = '';
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error('no answer within 10 s'));
    }, 10_000);
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const answer = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!answer.includes('"event"')) {
          clearTimeout(timer);
          c.destroy();
          resolve(answer);
          return;
        }
      }
    });
    c.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    c.write(line.replace(/\n/g, ' ') + '\n');
  });
}

export const controlTarget: FuzzTarget = {
  name: 'control',
  about: "lines through a node's control socket (every command, JSON text and members mutated)",
  seeds: () => REQUESTS.map((q) => octetsOf(JSON.stringify(q))),
  mutate: (seed, rand) => octetsOf(rand() < 0.5 ? mutateText(textOf(seed), rand) : mutateMembers(textOf(seed), rand)),
  async setup() {
    const scratch = mkdtempSync(join(tmpdir(), 'dxlab-fuzz-control-'));
    const socket = join(scratch, 'rt.sock');
    const node = memoryRouter({ socket, captureDir: scratch, macsec: { keyChain: [{ ckn: CKN, cak: CAK }], helloTimeMs: 200, lifeTimeMs: 600 } });
    await node.start();
    return {
      async feed(input) {
        const line = confine(textOf(input), scratch);
        // A blank line gets no answer (the node skips it), as a terminal's stray Enter should.
        if (!line.trim()) return 'ignored blank line';
        const answer = await ask(socket, line);
        if (answer.toLowerCase().includes(CAK)) throw new Error('an answer carries the CAK');
        const a = JSON.parse(answer) as { ok: boolean; error?: { code: string; message: string } };
        if (a.ok) {
          let cmd = '?';
          try {
            cmd = String((JSON.parse(line) as { cmd: unknown }).cmd);
          } catch {
            // answered ok to a line that is not JSON: reported under '?'
          }
          return `ok ${cmd}`;
        }
        if (a.error!.code === 'internal') throw new Error(`internal error: ${a.error!.message}`);
        return `error ${a.error!.code}`;
      },
      async close() {
        await node.stop();
        rmSync(scratch, { recursive: true, force: true });
      },
    };
  },
};
