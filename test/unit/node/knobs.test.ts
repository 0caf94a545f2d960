/**
 * `dxlab set NODE PORT KNOB VALUE` (src/node/knobs.ts): the table covers
 * every knob of a port's `macsec` section, a VALUE word is read into the
 * configuration's JSON value, and a value is checked by the configuration's
 * own schema (a bad one names the knob). On two nodes on the memory wire (no
 * root): live knobs change the SecY without touching MKA, the others restart
 * the port's KaY (a new MI) and the link secures again; a refused value
 * changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { memoryWire, type FrameIo } from '../../../src/io/index.js';
import { KNOB_NAMES, LabNode, MACSEC_KNOBS, MacsecPort, NodeError, controlRequest, parseKnobWord, resolveMacsecKnob, resolveNodeConfig, type DeviceFactory, type MacsecKnob } from '../../../src/node/index.js';
import type { KayStatus } from '../../../src/mka/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { until } from '../../helpers/until.js';

const require = createRequire(import.meta.url);
const schema = require('../../../src/node/config.schema.json') as { definitions: { macsec: { properties: Record<string, unknown> } } };

describe('the knob table', () => {
  it('names every field of the macsec section but the key chain, the SCI port and the static SAs, and nothing else', () => {
    // Static SAs change by the control socket's own `staticSas` command (keys, checked as a whole), as the key chain by addKey.
    const fields = Object.keys(schema.definitions.macsec.properties).filter((k) => !['keyChain', 'keyFile', 'sciPort', 'staticSas'].includes(k));
    expect([...KNOB_NAMES].sort()).toEqual(fields.sort());
  });

  it('applies the SecY managed objects (802.1AE-2018 10.7) and the mode live, the rest by a KaY restart', () => {
    const live = KNOB_NAMES.filter((k) => MACSEC_KNOBS[k].apply === 'live').sort();
    expect(live).toEqual(['includeSci', 'mode', 'replayProtect', 'replayWindow', 'validateFrames']);
  });
});

describe('parseKnobWord', () => {
  const ok = (k: MacsecKnob, w: string) => {
    const r = parseKnobWord(k, w);
    if ('error' in r) throw new Error(r.error);
    return r.value;
  };
  it('reads integers in decimal and 0x hex, booleans, lists and the offset', () => {
    expect(ok('replayWindow', '64')).toBe(64);
    expect(ok('eapolEtherType', '0x88e5')).toBe(0x88e5);
    expect(ok('includeSci', 'false')).toBe(false);
    expect(ok('cipherSuites', 'gcm-aes-xpn-256,gcm-aes-256')).toEqual(['gcm-aes-xpn-256', 'gcm-aes-256']);
    expect(ok('clearTextEtherTypes', '0x88cc,0x8809')).toEqual([0x88cc, 0x8809]);
    expect(ok('clearTextEtherTypes', 'none')).toEqual([]);
    expect(ok('confidentialityOffset', 'none')).toBe('none');
    expect(ok('confidentialityOffset', '0')).toBe(0);
    expect(ok('sakRekeyIntervalS', '2.5')).toBe(2.5);
    expect(ok('pnThreshold', '0xc0000000')).toBe('0xc0000000');
  });
  it('names the knob when a word is not of its type', () => {
    expect(parseKnobWord('replayWindow', 'many')).toEqual({ error: expect.stringMatching(/^replayWindow: an integer, got 'many'/) });
    expect(parseKnobWord('includeSci', 'yes')).toEqual({ error: expect.stringMatching(/^includeSci: true or false/) });
  });
});

describe('resolveMacsecKnob: the configuration file\'s rules', () => {
  const refused = (k: string, v: unknown): string => {
    try {
      resolveMacsecKnob(k as MacsecKnob, v);
    } catch (e) {
      expect(e).toBeInstanceOf(NodeError);
      expect((e as NodeError).code).toBe('badRequest');
      return (e as Error).message;
    }
    throw new Error(`${k} ${JSON.stringify(v)} was accepted`);
  };
  it('resolves as a configuration does: suites as objects, the PN as a bigint, the MAC as octets', () => {
    expect(resolveMacsecKnob('cipherSuites', ['gcm-aes-xpn-256']).map((s) => s.cliName)).toEqual(['gcm-aes-xpn-256']);
    expect(resolveMacsecKnob('pnThreshold', '0x10')).toBe(16n);
    expect([...resolveMacsecKnob('eapolDestination', '01:80:c2:00:00:03')]).toEqual([1, 0x80, 0xc2, 0, 0, 3]);
  });
  it.each([
    ['keyServerPriority', 256, /^keyServerPriority: must be <= 255/],
    ['replayWindow', -1, /^replayWindow: must be >= 0/],
    ['helloTimeMs', 50, /^helloTimeMs: must be >= 100/],
    ['cipherSuites', ['gcm-aes-512'], /^cipherSuites: .*must be one of "gcm-aes-128"/],
    ['mode', 'encrypt', /^mode: must be one of "should_encrypt"/],
    ['validateFrames', 'loose', /^validateFrames: must be one of/],
    ['eapolEtherType', 0x500, /^eapolEtherType: must be >= 1536/],
    ['eapolDestination', '01:80:c2', /^eapolDestination: must match pattern/],
    ['pnThreshold', '-5', /^pnThreshold: must match pattern/],
    ['sakRekeyIntervalS', 0, /^sakRekeyIntervalS: must be > 0/],
    ['confidentialityOffset', 10, /^confidentialityOffset: must be one of 0, 30, 50, "none"/],
  ])('%s %j is refused, naming the knob', (k, v, re) => {
    expect(refused(k, v)).toMatch(re);
  });
  it('an unknown knob or the key chain is refused with the list of knobs', () => {
    expect(refused('keyChain', [])).toMatch(/^unknown knob 'keyChain': expected one of mode, /);
    expect(refused('sciPort', 2)).toMatch(/^unknown knob 'sciPort'/);
  });
});

const tmp = tempDir();
const CKN = '11'.repeat(32);
const CAK = '22'.repeat(32);

describe('set on two nodes on the memory wire', () => {
  const wires = memoryWire({ names: ['a-w', 'b-w'], mtu: 1600 });
  const dev = (w: FrameIo): DeviceFactory => ({ wire: () => w, tap: (t) => memoryWire({ names: [t.name, `${t.name}-h`], mtu: t.mtu })[0] });
  const config = (name: string, priority: number) =>
    resolveNodeConfig(
      {
        name,
        kind: 'router',
        controlSocket: join(tmp, `${name}.sock`),
        captureDir: tmp,
        logLevel: 'error',
        ports: [{ name: 'eth1', wire: `${name}-w`, taps: [{ name: `${name}-t0` }], macsec: { keyChain: [{ ckn: CKN, cak: CAK }], keyServerPriority: priority, helloTimeMs: 200, lifeTimeMs: 600 } }],
      },
      `${name}.yaml`,
    );
  const a = new LabNode(config('a', 16), dev(wires[0]));
  const b = new LabNode(config('b', 32), dev(wires[1]));
  const port = (n: LabNode) => n.macsecPort('eth1') as MacsecPort;
  const secured = () => [a, b].every((n) => port(n).status().controlledPort === 'secured');
  const mi = (n: LabNode) => port(n).kayStatus().participants[0]?.mi;
  const set = async (knob: string, value: unknown) => (await controlRequest(join(tmp, 'a.sock'), { cmd: 'set', port: 'eth1', knob, value })).result as Record<string, unknown>;

  beforeAll(async () => {
    await a.start();
    await b.start();
    await until(secured, 10_000);
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
  });

  it('replayWindow is applied live: the SecY takes it, MKA goes on with the same MI', async () => {
    const before = mi(a);
    expect(await set('replayWindow', 64)).toEqual({ knob: 'replayWindow', from: null, to: 64, applied: 'live' });
    expect(port(a).secy.replayWindow).toBe(64n);
    expect(port(a).kayStatus().participants[0]?.mi).toBe(before);
    expect(secured()).toBe(true);
    // A second set reports the value the first one left.
    expect(await set('replayWindow', 0)).toMatchObject({ from: 64, to: 0 });
  });

  it('keyServerPriority restarts the KaY: a new MI, and the link secures again', async () => {
    const before = mi(a);
    expect(await set('keyServerPriority', 200)).toEqual({ knob: 'keyServerPriority', from: 16, to: 200, applied: 'kayRestart' });
    expect(mi(a)).not.toBe(before);
    await until(secured, 10_000);
    const st = port(a).kayStatus() as KayStatus;
    // b (priority 32) is the key server now.
    expect(st.participants[0]?.keyServer?.self).toBe(false);
  });

  it('a bad value is a badRequest naming the knob, and nothing changes', async () => {
    const before = mi(a);
    await expect(set('keyServerPriority', 300)).rejects.toThrow(/keyServerPriority: must be <= 255/);
    await expect(set('sciPort', 2)).rejects.toThrow(/unknown knob 'sciPort'/);
    expect(mi(a)).toBe(before);
    expect(await set('keyServerPriority', 16)).toMatchObject({ from: 200 });
  });
});
