/**
 * What the web view sends the page (src/web/view.ts): named fields only, so
 * a key an answer might carry never goes out; each link's state from both
 * ends, as the page draws it.
 */
import { describe, expect, it } from 'vitest';
import { connectionView, counterSample, endState, eventView, lagViews, linkView, nodeView, portView, type LinkView, type PortView } from '../../../src/web/index.js';

const CAK = '8899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677';
const SAK = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

/** A node's status answer for one port, as src/node answers it, plus key fields no answer should have. */
function statusPort(o: { mode?: string; controlledPort?: string; secured?: boolean; notSecured?: { code: string; reason: string } } = {}) {
  return {
    name: 'eth1',
    kind: 'macsec',
    mode: o.mode ?? 'should_encrypt',
    secured: o.secured ?? true,
    keyChain: [{ ckn: 'ab'.repeat(32), inUse: true, cak: CAK }],
    cknInUse: 'ab'.repeat(32),
    sci: 'c24a5a0874340001',
    controlledPort: o.controlledPort ?? 'secured',
    encodingAn: 1,
    cipherSuite: 'GCM-AES-XPN-256',
    cak: CAK,
    fastPath: { active: true, txFrames: 3, key: SAK },
    captures: [{ side: 'wire', path: '/tmp/x.pcapng', frames: 4 }],
    kay: {
      mode: o.mode ?? 'should_encrypt',
      secured: o.secured ?? true,
      controlledPort: o.controlledPort ?? 'secured',
      cpState: 'SECURED',
      ...(o.notSecured ? { notSecured: o.notSecured } : {}),
      keyChain: { inUse: 'ab'.repeat(32), index: 0, reason: 'newest pair' },
      participants: [{ ckn: 'ab'.repeat(32), principal: true, cak: CAK, ick: CAK, livePeers: [{ mi: '01', mn: 3, sci: '72:02:ac:1d:97:61/1', keyServerPriority: 32, sak: SAK }], potentialPeers: [], keyServer: { sci: 'c2:4a:5a:08:74:34/1', self: true } }],
      sak: { kn: 2, an: 1, cipherSuite: 'GCM-AES-XPN-256', transmitting: true, receiving: true, key: SAK, sak: SAK },
      counters: { inMkpdu: 9, outMkpdu: 8, inMkpduIcvVerificationErrors: 1, kek: SAK },
    },
  };
}

describe('portView and nodeView: named fields only', () => {
  it('keeps what `dxlab show` shows and drops every field it does not name, keys included', () => {
    const v = portView(statusPort());
    expect(v).toMatchObject({ name: 'eth1', mode: 'should_encrypt', secured: true, controlledPort: 'secured', cipherSuite: 'GCM-AES-XPN-256', encodingAn: 1, fastPath: true, keyServer: { sci: 'c2:4a:5a:08:74:34/1', self: true } });
    expect(v.sak).toEqual({ kn: 2, an: 1, cipherSuite: 'GCM-AES-XPN-256', transmitting: true, receiving: true });
    expect(v.keyChain).toEqual([{ ckn: 'ab'.repeat(32), inUse: true }]);
    expect(v.mkaCounters).toEqual({ inMkpdu: 9, outMkpdu: 8, inMkpduIcvVerificationErrors: 1 });
    const text = JSON.stringify(nodeView({ name: 'dx', kind: 'dx-device' }, { ports: [statusPort()], vifs: [{ name: 't0', port: 'eth1', vlan: 100, addresses: ['169.254.0.1/30'], md5Key: 'secret', bgp: [{ localAddress: 'a', peerAddress: 'b', state: 'Established', md5Key: 'secret' }] }] }, () => 'private-vif'));
    expect(text.toLowerCase()).not.toContain(CAK);
    expect(text.toLowerCase()).not.toContain(SAK);
    expect(text).not.toContain('secret');
    // `sak` stays as the SAK's status (KN, AN, suite), checked above; no field named for a key does.
    expect(text).not.toMatch(/"(cak|key|kek|ick|md5Key)"/);
    expect(text).toContain('"vif":"private-vif"');
  });

  it('a node that did not answer is shown not running, with the reason', () => {
    expect(nodeView({ name: 'dx', kind: 'dx-device' }, new Error('node dx did not answer'))).toEqual({ name: 'dx', kind: 'dx-device', running: false, error: 'node dx did not answer', ports: [], vifs: [] });
  });

  it('an event keeps its time, type, reason, CKN, peer, KN and AN, nothing else', () => {
    expect(eventView('dx', { at: 5, time: 't', type: 'sakInstalled', reason: 'r', port: 'eth1', ckn: 'ab', kn: 1, an: 0, sak: SAK })).toEqual({ node: 'dx', port: 'eth1', time: 't', type: 'sakInstalled', reason: 'r', ckn: 'ab', kn: 1, an: 0 });
  });

  it('counters: the named ones, receive SCs summed, strings and unknown names left out', () => {
    const s = counterSample('dx', {
      name: 'eth1',
      port: { txBlocked: 3, rxMkpdu: 10, note: 'x' },
      secy: { secy: { inPktsNoSCI: 2 }, txSc: { outPktsEncrypted: 7 }, rxScs: [{ sci: '123', inPktsOK: 5, inPktsLate: 1 }, { sci: '456', inPktsOK: 6, inPktsLate: 2 }] },
      mka: { inMkpduIcvVerificationErrors: 4, whatever: 9 },
    });
    expect(s).toEqual({ node: 'dx', port: 'eth1', values: { txBlocked: 3, rxMkpdu: 10, inPktsNoSCI: 2, outPktsEncrypted: 7, inPktsOK: 11, inPktsLate: 3, inMkpduIcvVerificationErrors: 4 } });
  });
});

describe('endState and linkView: a link as the page draws it', () => {
  const at = (o: Parameters<typeof statusPort>[0]): PortView => portView(statusPort(o));
  const link = (a: PortView | undefined, b: PortView | undefined, running = [true, true], macsec = true) =>
    linkView({ a: 'r:eth1', b: 'dx:eth1', macsec }, (end) => (end === 'r:eth1' ? a : b), (end) => running[end === 'r:eth1' ? 0 : 1]!);

  it('secured when both ends are, with the suite, AN and KN of the SAK in use', () => {
    expect(link(at({}), at({}))).toEqual({ a: 'r:eth1', b: 'dx:eth1', macsec: true, via: [], state: 'secured', cipherSuite: 'GCM-AES-XPN-256', an: 1, kn: 2, reason: null });
  });

  it('fallback as soon as one end passes clear after MKA failed (should_encrypt), with that end\'s reason', () => {
    const fell = at({ controlledPort: 'clear', secured: false, notSecured: { code: 'noPeerHeard', reason: 'no MKPDU heard' } });
    expect(link(at({ mode: 'no_encrypt', controlledPort: 'clear', secured: false, notSecured: { code: 'mkaDisabled', reason: 'no_encrypt' } }), fell)).toMatchObject({ state: 'fallback', cipherSuite: null, reason: 'no_encrypt' });
    expect(endState(fell)).toBe('fallback');
  });

  it('negotiating while MKA may still secure it; blocked once must_encrypt gave up', () => {
    expect(endState(at({ controlledPort: 'blocked', secured: false, notSecured: { code: 'negotiating', reason: 'r' } }))).toBe('negotiating');
    expect(endState(at({ mode: 'must_encrypt', controlledPort: 'blocked', secured: false, notSecured: { code: 'waitingForPeerRx', reason: 'r' } }))).toBe('negotiating');
    expect(endState(at({ mode: 'must_encrypt', controlledPort: 'blocked', secured: false, notSecured: { code: 'wrongCak', reason: 'ICV does not verify' } }))).toBe('blocked');
    expect(link(at({}), at({ mode: 'must_encrypt', controlledPort: 'blocked', secured: false, notSecured: { code: 'noPeerHeard', reason: 'silence' } }))).toMatchObject({ state: 'blocked', reason: 'silence' });
  });

  it('clear with no_encrypt at both ends or no MACsec on the link; down when a node does not answer', () => {
    const clear = at({ mode: 'no_encrypt', controlledPort: 'clear', secured: false, notSecured: { code: 'mkaDisabled', reason: 'no_encrypt' } });
    expect(link(clear, clear).state).toBe('clear');
    expect(link(undefined, undefined, [true, true], false).state).toBe('clear');
    expect(link(at({}), at({}), [true, false]).state).toBe('down');
  });
});

describe('LAGs and the AWS API\'s connections', () => {
  const link = (a: string, b: string, state: LinkView['state']): LinkView => ({ a, b, macsec: true, via: [], state, cipherSuite: null, an: null, kn: null, reason: null });
  const topology = {
    links: [
      { a: { node: 'router', port: 'eth1' }, b: { node: 'dx', port: 'eth1' }, lag: 'lag1' },
      { a: { node: 'router', port: 'eth2' }, b: { node: 'dx', port: 'eth2' }, lag: 'lag1' },
      { a: { node: 'router', port: 'eth3' }, b: { node: 'dx', port: 'eth3' } },
    ],
  };

  it('groups member links under their LAG: how many secured, the best member\'s state', () => {
    const one = lagViews(topology, [link('router:eth1', 'dx:eth1', 'secured'), link('router:eth2', 'dx:eth2', 'down'), link('router:eth3', 'dx:eth3', 'secured')]);
    expect(one).toEqual([{ name: 'lag1', nodes: ['router', 'dx'], members: ['router:eth1|dx:eth1', 'router:eth2|dx:eth2'], secured: 1, state: 'secured' }]);
    const none = lagViews(topology, [link('router:eth1', 'dx:eth1', 'down'), link('router:eth2', 'dx:eth2', 'fallback')]);
    expect(none[0]).toMatchObject({ secured: 0, state: 'fallback' });
    expect(lagViews(undefined, [])).toEqual([]);
  });

  it('a connection: state, mode, keys\' CKN and state, its port; nothing else (no CAK, no secret ARN)', () => {
    const c = connectionView({ connectionId: 'dxcon-1', connectionName: 'c1', connectionState: 'available', lagId: 'dxlag-1', macSecCapable: true, encryptionMode: 'must_encrypt', portEncryptionStatus: 'Encryption Down', tags: [{ key: 'dxlab:port', value: 'dx:eth1' }, { key: 'other', value: 'x' }], macSecKeys: [{ ckn: 'ab'.repeat(32), state: 'associated', startOn: '2026-01-01', secretARN: 'arn:x', cak: CAK }], cak: CAK });
    expect(c).toEqual({ connectionId: 'dxcon-1', connectionName: 'c1', connectionState: 'available', lagId: 'dxlag-1', macSecCapable: true, encryptionMode: 'must_encrypt', portEncryptionStatus: 'Encryption Down', port: 'dx:eth1', macSecKeys: [{ ckn: 'ab'.repeat(32), state: 'associated', startOn: '2026-01-01' }] });
    expect(JSON.stringify(c)).not.toContain(CAK);
    expect(connectionView('garbage')).toMatchObject({ connectionId: '?', macSecKeys: [], port: null });
  });
});
