/**
 * What the lab verbs print, from control-socket answers recorded on live labs
 * (samples/: `dxlab node status --json` of each node of router-dx and
 * router-switch-dx, both secured with BGP Established).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/errors.js';
import {
  duration,
  macsecPorts,
  renderBgp,
  renderDemo,
  renderGraph,
  renderLabStatus,
  renderMacsec,
  renderMka,
  renderSet,
  summarizeNode,
  wrapWords,
  type NodeStatusAnswer,
} from '../../../src/cli/render.js';
import { loadTopology, type DemoResult } from '../../../src/lab/index.js';
import type { BgpPeerStatus } from '../../../src/node/index.js';
import { ROOT } from '../../helpers/cli.js';
import { KaY } from '../../../src/mka/index.js';
import { sciFromHex } from '../../../src/macsec/index.js';

const sample = (name: string) => JSON.parse(readFileSync(join(ROOT, 'test/unit/cli/samples', `${name}.json`), 'utf8')) as NodeStatusAnswer;
const router = sample('router-dx-router-status');
const dx = sample('router-dx-dx-status');
const swRouter = sample('router-switch-dx-router-status');
const swSwitch = sample('router-switch-dx-switch-status');
const vifOf = (tap: string) => (tap.startsWith('dxt') ? 'private-vif' : undefined);

/** The column at which each of `words` starts on each line that has it. */
const columnsOf = (lines: string[], word: string) => lines.filter((l) => l.includes(word)).map((l) => l.indexOf(word));

/** Text for people holds no JSON: no braces, no quoted keys. */
function expectNoJson(text: string): void {
  expect(text).not.toMatch(/[{}]|"\w+":/);
}

describe('dxlab status', () => {
  const nodes = [summarizeNode({ name: 'router', kind: 'router', pid: router.pid }, router, vifOf), summarizeNode({ name: 'dx', kind: 'dx-device', pid: dx.pid }, dx, vifOf)];
  const text = renderLabStatus({ lab: 'lab1', topology: 'topologies/router-dx.yaml', nodes });
  const lines = text.split('\n');

  it('shows each port with its encryption mode and MACsec state, in aligned columns', () => {
    expect(lines[0]).toBe('lab lab1 (topologies/router-dx.yaml)');
    expect(lines[1]).toMatch(/^node\s+kind\s+pid\s+port\s+mode\s+MACsec$/);
    expect(lines[2]).toMatch(/^router\s+router\s+\d+\s+eth1\s+should_encrypt\s+secured$/);
    expect(lines[3]).toMatch(/^dx\s+dx-device\s+\d+\s+eth1\s+should_encrypt\s+secured$/);
    expect(new Set(columnsOf(lines.slice(1, 4), 'eth1').concat(lines[1]!.indexOf('port'))).size).toBe(1);
  });

  it("shows every BGP session: VIF, both ends with their ASNs, state, uptime and prefixes", () => {
    const bgp = lines.slice(lines.indexOf('BGP') + 1);
    expect(bgp[0]).toMatch(/^node\s+VIF\s+local\s+peer\s+state\s+up\s+received\s+advertised$/);
    expect(bgp.slice(1)).toHaveLength(4);
    expect(bgp[1]).toMatch(/^router\s+private-vif\s+169\.254\.100\.1 AS65000\s+169\.254\.100\.2 AS64512\s+Established\s+27 s\s+IPv4 1\s+IPv4 1$/);
    expect(bgp[2]).toMatch(/^router\s+private-vif\s+2001:db8:100::1 AS65000\s+2001:db8:100::2 AS64512\s+Established\s+26 s\s+IPv6 1\s+IPv6 1$/);
    expect(bgp[3]).toMatch(/^dx\s+private-vif\s+169\.254\.100\.2 AS64512\s+169\.254\.100\.1 AS65000\s+Established/);
    expect(new Set(columnsOf(bgp, 'Established').concat(bgp[0]!.indexOf('state'))).size).toBe(1);
    expectNoJson(text);
  });

  it('--json carries the same: mode per port, BGP sessions per node', () => {
    expect(nodes[0]!.ports[0]).toMatchObject({ name: 'eth1', kind: 'macsec', mode: 'should_encrypt', secured: true, controlledPort: 'secured', reason: null });
    expect(nodes[0]!.bgp.map((b) => [b.vif, b.peerAddress, b.state, b.prefixes.received])).toEqual([
      ['private-vif', '169.254.100.2', 'Established', { ipv4: 1, ipv6: 0 }],
      ['private-vif', '2001:db8:100::2', 'Established', { ipv4: 0, ipv6: 1 }],
    ]);
  });

  it('plain ports, a node without BGP, a node that does not answer', () => {
    const t = renderLabStatus({
      lab: 'lab2',
      topology: 'router-switch-dx.yaml',
      nodes: [
        summarizeNode({ name: 'router', kind: 'router', pid: 1 }, swRouter, vifOf),
        summarizeNode({ name: 'switch', kind: 'switch', pid: 2 }, swSwitch),
        summarizeNode({ name: 'dx', kind: 'dx-device', pid: 3 }, new Error('connect ENOENT /run/dxlab/lab2/dx.sock')),
      ],
    }).split('\n');
    expect(t[2]).toMatch(/^router\s+router\s+1\s+eth1\s+-\s+plain port$/);
    expect(t[3]).toMatch(/^switch\s+switch\s+2\s+eth1\s+-\s+plain port$/);
    expect(t[4]).toMatch(/^switch\s+switch\s+2\s+eth2\s+should_encrypt\s+secured$/);
    expect(t[5]).toMatch(/^dx\s+dx-device\s+3\s+-\s+-\s+not running \(connect ENOENT/);
    expect(t.filter((l) => l.startsWith('router  private-vif'))).toHaveLength(1);
  });

  it('a port that is not secured says why', () => {
    const blocked = structuredClone(router);
    Object.assign(blocked.ports[0]!.kay!, { secured: false, controlledPort: 'blocked', mode: 'must_encrypt', notSecured: { code: 'noPeerHeard', reason: 'no MKPDU from a peer' } });
    expect(renderLabStatus({ lab: 'l', topology: 't', nodes: [summarizeNode({ name: 'router', kind: 'router', pid: 1 }, blocked)] })).toMatch(/eth1\s+must_encrypt\s+blocked \(no MKPDU from a peer\)/);
  });
});

describe('dxlab status: the supervisor, restarts, services', () => {
  const supervisor = { pid: 4711, running: true, startedAt: '2026-12-06T08:40:01.511Z', socket: '/run/dxlab/l/supervisor.sock', log: '/run/dxlab/l/supervisor.log' };
  const dxNode = { ...summarizeNode({ name: 'dx', kind: 'dx-device', pid: dx.pid }, dx, vifOf), restart: 'always', restarts: 2, exited: { code: null, signal: 'SIGKILL', at: '2026-12-06T08:40:52.004Z' } };
  const routerDown = summarizeNode({ name: 'router', kind: 'router', pid: 9 }, new Error('exited: exit code 3 at 2026-12-06T08:41:00.000Z; restart: never, dxlab restart router brings it back'));

  it('below the nodes: the supervisor, a line per node it restarted, the services as a table; then BGP', () => {
    const t = renderLabStatus({ lab: 'l', topology: 't', nodes: [routerDown, dxNode], supervisor, services: [{ name: 'api', port: 4567, url: 'http://127.0.0.1:4567/', pid: 4711, running: true }] }).split('\n');
    expect(t[1]).toMatch(/^node\s+kind\s+pid\s+port\s+mode\s+MACsec$/);
    expect(t[2]).toMatch(/^router\s+router\s+9\s+-\s+-\s+not running \(exited: exit code 3 at /);
    expect(t.slice(4, 9)).toEqual([
      'supervisor: pid 4711, since 2026-12-06T08:40:01.511Z, log /run/dxlab/l/supervisor.log',
      'restarts: dx 2 (restart: always; last exit killed by SIGKILL at 2026-12-06T08:40:52.004Z)',
      'services',
      'name  port  url',
      'api   4567  http://127.0.0.1:4567/',
    ]);
    expect(t[9]).toBe('');
    expect(t[10]).toBe('BGP');
    expectNoJson(t.join('\n'));
  });

  it('no services, a supervisor that is gone, none recorded; a service whose process is gone says so', () => {
    expect(renderLabStatus({ lab: 'l', topology: 't', nodes: [dxNode], supervisor, services: [] })).toContain('\nservices: none\n');
    const gone = renderLabStatus({ lab: 'l', topology: 't', nodes: [dxNode], supervisor: { ...supervisor, running: false }, services: [{ name: 'api', port: 4566, url: 'http://127.0.0.1:4566/', pid: 4711, running: false }] });
    expect(gone).toContain('\nsupervisor: not running (pid 4711 is gone): no node is restarted; dxlab down still removes the lab\n');
    expect(gone).toMatch(/\napi\s+4566\s+http:\/\/127\.0\.0\.1:4566\/ \(not running: pid 4711 is gone\)\n/);
    expect(renderLabStatus({ lab: 'l', topology: 't', nodes: [dxNode], supervisor: null })).toContain('\nsupervisor: none recorded');
    // Without the fields (a caller that has none), nothing is added.
    expect(renderLabStatus({ lab: 'l', topology: 't', nodes: [routerDown] })).not.toMatch(/supervisor|services|restarts/);
  });
});

describe('dxlab show bgp', () => {
  const peers = router.bgp!;

  it('per session: TAP and VIF, both ends and ASNs, state and uptime, prefixes per family, timers, MD5, last error', () => {
    const text = renderBgp('router', peers, vifOf);
    expectNoJson(text);
    const blocks = text.split('\n\n');
    expect(blocks).toHaveLength(2);
    const v4 = blocks[0]!.split('\n');
    expect(v4[0]).toBe(`router ${peers[0]!.tap} (VIF private-vif): BGP 169.254.100.1 AS65000 <-> 169.254.100.2 AS64512, builtin speaker`);
    expect(v4.slice(1).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['state', 'Established, up 27 s'],
      ['received', 'IPv4 1, IPv6 0'],
      ['advertised', 'IPv4 1, IPv6 0'],
      ['hold time', '90 s, keepalive 30 s, connect retry 120 s'],
      ['TCP MD5', 'yes'],
      ['last error', '-'],
    ]);
    expect(blocks[1]).toMatch(/2001:db8:100::1 AS65000 <-> 2001:db8:100::2 AS64512[\s\S]*received\s+IPv4 0, IPv6 1/);
  });

  it('a session that is down: its state, no uptime, the last error as words; a passive side says so', () => {
    const down: BgpPeerStatus = { ...peers[0]!, state: 'Active', uptimeS: null, md5: false, passive: true, lastError: 'NOTIFICATION received: Hold Timer Expired' };
    const text = renderBgp('dx', [down]);
    expect(text).toMatch(/state\s+Active \(passive: waits for the peer\)\n/);
    expect(text).toMatch(/TCP MD5\s+no\n/);
    expect(text).toMatch(/last error\s+NOTIFICATION received: Hold Timer Expired$/);
    expect(text).not.toMatch(/up \d/);
  });
});

describe('dxlab show mka and show macsec', () => {
  it('a node with only plain ports: an error naming the node, its ports and where MACsec runs (exit 1)', () => {
    const e = (() => {
      try {
        macsecPorts('router', swRouter.ports, undefined, ['switch eth2', 'dx eth1']);
      } catch (x) {
        return x as CliError;
      }
    })();
    expect(e).toBeInstanceOf(CliError);
    expect(e!.code).toBe('failed');
    expect(e!.message).toBe('node router has no MACsec port (eth1: plain); MACsec runs on switch eth2, dx eth1');
  });

  it('a plain port named: a usage error (exit 2)', () => {
    expect(() => macsecPorts('switch', [swSwitch.ports[0]!], 'eth1')).toThrow(expect.objectContaining({ code: 'usage', message: expect.stringMatching(/^port eth1 of node switch is a plain port/) }));
  });

  it('a node with plain and MACsec ports shows the MACsec ones', () => {
    const ports = macsecPorts('switch', swSwitch.ports, undefined);
    expect(ports.map((p) => p.name)).toEqual(['eth2']);
    const mka = renderMka('switch', ports).split('\n');
    expect(mka[0]).toBe('switch eth2: MKA Secured, mode should_encrypt, controlled port secured');
    expect(mka.join('\n')).toMatch(/Peer\s+SCI\s+MI\s+MN\s+State\n\s+[0-9a-f:]+\/1\s+[0-9a-f]{24}\s+\d+\s+live/);
    expect(mka.join('\n')).toMatch(/Latest SAK: KN 1 AN 0 GCM-AES-XPN-256 tx yes rx yes/);
    const macsec = renderMacsec('switch', ports).split('\n');
    expect(macsec[0]).toMatch(/^node\s+port\s+SCI\s+cipher suite\s+crypto\s+encoding AN\s+mode\s+controlled port$/);
    // The engine the port's status names (the sample was recorded on the OpenSSL engine).
    expect(macsec[1]).toMatch(/^switch\s+eth2\s+[0-9a-f]{16}\s+GCM-AES-XPN-256\s+openssl\s+0\s+should_encrypt\s+secured$/);
  });
});

describe('dxlab show mka: a port with no key', () => {
  it('says no key plainly: the reason on the first line, no participant, the key chain empty', () => {
    const kay = new KaY({ sci: sciFromHex('0200000000010001'), keyChain: [] }, { random: (n) => new Uint8Array(n) });
    kay.start(0);
    const mka = renderMka('dx', [{ name: 'eth2', kind: 'macsec', kay: kay.status() }]).split('\n');
    expect(mka).toEqual([
      'dx eth2: MKA Not secured, mode should_encrypt, controlled port clear (noKey: no key: the key chain is empty, MKA idle (no MKPDU sent))',
      '  Key chain: no key: the key chain is empty, MKA idle (no MKPDU sent)',
    ]);
    expect(renderSet('dx', 'eth2', { what: 'keyRemove', ckn: '00112233', keyChain: [] })).toBe(
      'dx eth2: CKN 00112233 removed; key chain (oldest first): empty (no key: MKA idle, the mode alone decides what passes)',
    );
  });
});

describe('dxlab set', () => {
  it('one line saying what changed', () => {
    expect(renderSet('router', 'eth1', { what: 'mode', from: 'should_encrypt', to: 'must_encrypt' })).toBe('router eth1: mode should_encrypt -> must_encrypt');
    expect(renderSet('router', 'eth1', { what: 'mode', from: 'must_encrypt', to: 'must_encrypt' })).toBe('router eth1: mode must_encrypt (unchanged)');
    const ckn = 'ab'.repeat(32);
    expect(renderSet('dx', 'eth1', { what: 'keyAdd', ckn: '00112233', keyChain: [ckn, '00112233'] })).toBe('dx eth1: CKN 00112233 added as the newest pair; key chain (oldest first): abababababababab…, 00112233');
    expect(renderSet('dx', 'eth1', { what: 'keyRemove', ckn: '00112233', keyChain: [ckn] })).toBe('dx eth1: CKN 00112233 removed; key chain (oldest first): abababababababab…');
    expect(renderSet('dx', 'eth1', { what: 'rekey', keyServer: 'self' })).toBe('dx eth1: rekey requested: this node is the key server and distributes a new SAK');
    expect(renderSet('router', 'eth1', { what: 'rekey', keyServer: '02:00:00:00:00:01/1' })).toBe('router eth1: rekey pending: only the key server distributes SAKs, and that is the peer 02:00:00:00:00:01/1');
    for (const l of [renderSet('router', 'eth1', { what: 'rekey', keyServer: null })]) expect(l.split('\n')).toHaveLength(1);
  });
  it('a knob: its value before and after, and whether it was applied live or by a KaY restart', () => {
    expect(renderSet('router', 'eth1', { what: 'knob', knob: 'replayWindow', from: null, to: 64, applied: 'live' })).toBe('router eth1: replayWindow default -> 64 (applied live)');
    expect(renderSet('dx', 'eth1', { what: 'knob', knob: 'cipherSuites', from: ['gcm-aes-xpn-256', 'gcm-aes-256'], to: ['gcm-aes-256'], applied: 'kayRestart' })).toBe(
      "dx eth1: cipherSuites gcm-aes-xpn-256,gcm-aes-256 -> gcm-aes-256 (the port's KaY restarted: MKA starts again with a new MI)",
    );
    expect(renderSet('dx', 'eth1', { what: 'knob', knob: 'clearTextEtherTypes', from: [0x88cc], to: [], applied: 'kayRestart' })).toMatch(/^dx eth1: clearTextEtherTypes 0x88cc -> none \(/);
  });
});

describe('dxlab status after kill and wire cut', () => {
  it('a killed node says so; both ends of a cut wire say "wire cut"', () => {
    const nodes = [
      summarizeNode({ name: 'router', kind: 'router', pid: router.pid, wiresCut: ['eth1'] }, router, vifOf),
      summarizeNode({ name: 'dx', kind: 'dx-device', pid: dx.pid }, new Error('killed by dxlab kill at 2026-01-01T00:00:00.000Z; dxlab restart dx brings it back')),
    ];
    expect(nodes[0]!.ports[0]!.wireCut).toBe(true);
    const lines = renderLabStatus({ lab: 'lab1', topology: 't.yaml', nodes }).split('\n');
    expect(lines[2]).toMatch(/^router\s+router\s+\d+\s+eth1\s+should_encrypt\s+secured, wire cut$/);
    expect(lines[3]).toMatch(/^dx\s+dx-device\s+\d+\s+-\s+-\s+not running \(killed by dxlab kill at .*; dxlab restart dx brings it back\)$/);
  });
});

describe('dxlab graph (text)', () => {
  it('nodes, links with MACsec mode and suites in aligned columns, VIFs with addresses and BGP', () => {
    const lines = renderGraph(loadTopology(join(ROOT, 'topologies/router-switch-dx.yaml')), 'lab3').split('\n');
    expect(lines[0]).toBe('router-switch-dx (lab lab3)');
    const links = lines.filter((l) => / (--|==) /.test(l));
    expect(links).toHaveLength(2);
    expect(links[0]).toMatch(/^ {2}router:eth1\s+-- plain -+\s+switch:eth1$/);
    expect(links[1]).toMatch(/^ {2}switch:eth2\s+== MACsec should_encrypt, gcm-aes-xpn-256 \/ gcm-aes-256 =+\s+dx:eth1$/);
    expect(links[0]!.indexOf('switch:eth1')).toBe(links[1]!.indexOf('dx:eth1'));
    expect(lines.join('\n')).toMatch(/VIF private-vif: VLAN 200, MTU 1500\n\s+router eth1\s+169\.254\.200\.1\/30\n\s+dx eth1\s+169\.254\.200\.2\/30\n\s+BGP\s+AS65001 <-> AS64512/);
  });
});

describe('dxlab demo', () => {
  const base: DemoResult = {
    lab: 'demo',
    secureMs: 600,
    cipherSuite: 'GCM-AES-XPN-256',
    bgpState: 'Established',
    pingLossPct: 0,
    captures: (['wire', 'clear', 'decrypted'] as const).map((side) => ({ node: 'router', port: 'eth1', side, path: `pcaps/demo/router-eth1-${side}.pcapng` })),
    keys: 'pcaps/demo/router-eth1.keys.json',
    wiresharkKeys: 'pcaps/demo/router-eth1.wireshark-macsec-keys.txt',
    leftover: [],
    kept: false,
  };

  it('under XPN: Wireshark cannot decrypt it, open the decrypted copy; no word of the (empty) key table', () => {
    const text = renderDemo(base);
    expect(text).toMatch(/Wireshark cannot decrypt the XPN suites/);
    expect(text).toContain('pcaps/demo/router-eth1-decrypted.pcapng');
    expect(text).not.toContain('wireshark-macsec-keys');
    expect(text).not.toMatch(/32-octet CAK/);
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it('under GCM-AES-256: the SAK table and the CKN/CAK pair both work in Wireshark 4.6', () => {
    const text = renderDemo({ ...base, cipherSuite: 'GCM-AES-256' });
    expect(text).toContain('pcaps/demo/router-eth1.wireshark-macsec-keys.txt');
    expect(text).toMatch(/4\.6\.9 decrypts GCM-AES-256 from a 32-octet CKN\/CAK alone/);
    expect(text).not.toMatch(/cannot decrypt/);
  });

  it('under GCM-AES-128: the SAK table, not the CKN/CAK table', () => {
    const text = renderDemo({ ...base, cipherSuite: 'GCM-AES-128' });
    expect(text).toContain('wireshark-macsec-keys.txt');
    expect(text).toMatch(/not its MKA CKN\/CAK table[\s\S]*no\s+GCM-AES-128 frame/);
  });
});

describe('helpers', () => {
  it('duration', () => {
    expect([0, 13, 60, 250, 3600, 7380, 90061].map(duration)).toEqual(['0 s', '13 s', '1 min', '4 min 10 s', '1 h', '2 h 3 min', '1 d 1 h']);
  });
  it('wrapWords keeps words whole', () => {
    expect(wrapWords('aaa bbb ccc dddd', 8)).toBe('aaa bbb\nccc dddd');
    expect(wrapWords('a-very-long-word x', 5)).toBe('a-very-long-word\nx');
  });
});
