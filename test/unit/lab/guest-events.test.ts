/**
 * The linux-peer's timeline from successive readings of its status
 * (guest-events.ts): each change named with our KaY's event type, nothing
 * when nothing changed, and the loss of security named by the mode.
 */
import { describe, expect, it } from 'vitest';
import { guestEvents, type GuestReading } from '../../../src/lab/images/guest-events.js';
import { modeChangeLines } from '../../../src/lab/images/guest-config.js';

const OURS = '02:53:08:ea:01:19/1';
const reading = (o: Partial<GuestReading> & { live?: string[]; ks?: { sci: string; self: boolean } } = {}): GuestReading => ({
  mode: o.mode ?? 'should_encrypt',
  secured: o.secured ?? false,
  encodingAn: o.encodingAn ?? null,
  cipherSuite: o.cipherSuite ?? null,
  kay: { participants: [{ livePeers: (o.live ?? []).map((mi) => ({ mi, sci: OURS })), ...(o.ks ? { keyServer: o.ks } : {}) }] },
});
const types = (prev: GuestReading | undefined, next: GuestReading) => guestEvents(prev, next, 1000).map((e) => e.type);

describe('the guest timeline', () => {
  it('no event when nothing changed, and none from a first reading of an idle port', () => {
    const idle = reading();
    expect(types(undefined, idle)).toEqual([]);
    expect(types(idle, reading())).toEqual([]);
    const up = reading({ live: ['aa'], ks: { sci: OURS, self: false }, cipherSuite: 'GCM-AES-128', encodingAn: 0, secured: true });
    expect(types(up, reading({ live: ['aa'], ks: { sci: OURS, self: false }, cipherSuite: 'GCM-AES-128', encodingAn: 0, secured: true }))).toEqual([]);
  });

  it('securing in one step: peer live, key server, suite, AN in use, secured, in that order, with the peer and AN', () => {
    const ev = guestEvents(reading(), reading({ live: ['aa'], ks: { sci: OURS, self: false }, cipherSuite: 'GCM-AES-128', encodingAn: 2, secured: true }), 1234);
    expect(ev.map((e) => e.type)).toEqual(['peerLive', 'keyServerElected', 'cipherSuiteChosen', 'sakInUse', 'secured']);
    expect(ev[0]).toMatchObject({ at: 1234, peer: OURS });
    expect(ev[1]!.reason).toContain(`key server ${OURS}`);
    expect(ev[3]).toMatchObject({ an: 2 });
    for (const e of ev) expect(e.reason).toContain('read from the guest');
  });

  it('a rekey is a new AN in use', () => {
    const a = reading({ live: ['aa'], encodingAn: 0, secured: true, cipherSuite: 'GCM-AES-128' });
    expect(guestEvents(a, { ...a, encodingAn: 1 }, 0)).toEqual([expect.objectContaining({ type: 'sakInUse', an: 1 })]);
  });

  it('security lost: the peer times out, and should_encrypt falls back while must_encrypt blocks', () => {
    const secured = (mode: string) => reading({ mode, live: ['aa'], encodingAn: 0, secured: true, cipherSuite: 'GCM-AES-128' });
    expect(types(secured('should_encrypt'), reading({ mode: 'should_encrypt', cipherSuite: 'GCM-AES-128' }))).toEqual(['peerTimedOut', 'fallbackToClear']);
    expect(types(secured('must_encrypt'), reading({ mode: 'must_encrypt', cipherSuite: 'GCM-AES-128' }))).toEqual(['peerTimedOut', 'portBlocked']);
  });

  it('a restarted peer (a new MI) is one peer gone and one live', () => {
    const a = reading({ live: ['aa'], secured: true, encodingAn: 0 });
    expect(types(a, reading({ live: ['bb'], secured: true, encodingAn: 0 }))).toEqual(['peerLive', 'peerTimedOut']);
  });
});

describe("the guest's mode change lines", () => {
  const plan = { nicMtu: 1536, mka: { mode: 'should_encrypt' as const, ckn: 'ab'.repeat(16), cak: 'cd'.repeat(32) }, vifs: [{ vlan: 100, mtu: 1500, addresses: ['169.254.100.1/30'], bgp: [] }] };
  const script = (lines: string[]) => Buffer.from(/echo (\S+) \| base64 -d > \/run\/dxlab\/net\.sh/.exec(lines.join('\n'))![1]!, 'base64').toString();

  it('to no_encrypt: wpa_supplicant stops, macsec0 and the VIFs go, the VIFs come back on eth0 (ARP on)', () => {
    const lines = modeChangeLines(plan, 'should_encrypt', 'no_encrypt');
    // The net script for eth0 is written before macsec0 goes, so that its loop never remakes a VIF on macsec0.
    expect(lines[0]).toMatch(/> \/run\/dxlab\/net\.sh$/);
    expect(lines[1]).toMatch(/^wpa_cli -i eth0 terminate.*ip link del macsec0/);
    // A VLAN VIF left on the other parent is deleted by the script itself.
    expect(script(lines)).toContain("grep -q 'vif0@eth0:' && ip link del vif0");
    expect(lines).toContain('ip link set eth0 arp on');
    expect(script(lines)).toContain('ip link add link eth0 name vif0 type vlan id 100');
    expect(lines.join('\n')).not.toContain(plan.mka.cak);
  });

  it("from no_encrypt: wpa_supplicant starts with the guest's configuration (the plan's CKN/CAK only where it has none) and the VIFs move onto macsec0", () => {
    const lines = modeChangeLines(plan, 'no_encrypt', 'must_encrypt');
    expect(lines[0]).toMatch(/^\[ -e \/run\/dxlab\/wpa\.conf \] \|\| \{ umask 077; echo \S+ \| base64 -d > \/run\/dxlab\/wpa\.conf; \}$/);
    const conf = Buffer.from(/echo (\S+) \| base64 -d > \/run\/dxlab\/wpa\.conf/.exec(lines.join('\n'))![1]!, 'base64').toString();
    expect(conf).toContain(`mka_cak=${plan.mka.cak}`);
    expect(lines.at(-1)).toMatch(/^wpa_supplicant -B -i eth0 -D macsec_linux/);
    expect(lines).toContain('ip link set eth0 arp off');
    expect(script(lines)).toContain('ip link add link macsec0 name vif0 type vlan id 100');
  });

  it('between should_encrypt and must_encrypt nothing in the guest changes (its policy is strict in both); to the same no_encrypt nothing', () => {
    expect(modeChangeLines(plan, 'should_encrypt', 'must_encrypt')).toEqual([]);
    expect(modeChangeLines(plan, 'no_encrypt', 'no_encrypt')).toEqual([]);
  });
});
