/**
 * The linux-peer kind and its VM runtime as the topology resolver sees them,
 * and what the guest is told (images/guest-config.ts) and read back
 * (images/guest-status.ts), from outputs captured on the guest (Debian 12:
 * iproute2 6.1, wpa_supplicant 2.10).
 */
import { describe, expect, it } from 'vitest';
import { loadTopology, parseTopology } from '../../../src/lab/index.js';
import { birdConf, guestSetupLines, netScript, staticSasLines, wpaSupplicantConf, type GuestPlan } from '../../../src/lab/images/guest-config.js';
import { guestPortStatus, parseBirdProtocols, STATUS_SEPARATOR } from '../../../src/lab/images/guest-status.js';
import { topologyError } from '../../helpers/topology-error.js';

const KEY = { ckn: 'ab'.repeat(32), cak: 'cd'.repeat(32) };

const text = (o: { peer?: string; macsec?: string; dx?: string } = {}) => `name: t
topology:
  defaults:
    macsec:
      cipherSuites: [gcm-aes-128]
      keyChain: [{ ckn: ${KEY.ckn}, cak: ${KEY.cak} }]
${o.macsec ?? ''}  nodes:
    p: { kind: linux-peer${o.peer ?? ''} }
    d: { kind: dx-device, awsStrict: false${o.dx ?? ''} }
  links:
    - endpoints: [p:eth1, d:eth1]
      macsec: true
`;

describe('linux-peer kind', () => {
  it('runs in the qemu-vm runtime without saying so, and in no other', () => {
    const t = parseTopology(text(), 'x.yaml');
    expect(t.nodes.find((n) => n.name === 'p')).toMatchObject({ kind: 'linux-peer', runtime: 'qemu-vm' });
    expect(t.nodes.find((n) => n.name === 'd')!.runtime).toBeUndefined();
    expect(topologyError(text({ peer: ', runtime: netns-process' })).message).toMatch(/topology\.nodes\.p\.runtime: a linux-peer runs in the qemu-vm runtime only/);
    expect(topologyError(text({ dx: ', runtime: qemu-vm' })).message).toMatch(/topology\.nodes\.d\.runtime: the qemu-vm runtime runs linux-peer nodes only, not a dx-device/);
  });

  it("refuses what wpa_supplicant 2.10 cannot do, naming the field: no gcm-aes-128, the fast profile's Life Time, knobs it lacks", () => {
    expect(topologyError(text().replace('[gcm-aes-128]', '[gcm-aes-256]')).message).toMatch(/macsec\.cipherSuites: a linux-peer runs wpa_supplicant 2\.10, whose MKA offers only gcm-aes-128/);
    expect(topologyError(text({ macsec: '      profile: fast\n' })).message).toMatch(/macsec\.lifeTimeMs: a linux-peer's wpa_supplicant sends a hello every 2 s: a Life Time of 1500 ms/);
    expect(topologyError(text({ macsec: '      confidentialityOffset: 30\n' })).message).toMatch(/macsec\.confidentialityOffset: a linux-peer cannot take confidentialityOffset/);
    expect(topologyError(text({ peer: ', memoryMb: 64' })).message).toMatch(/topology\.nodes\.p\.memoryMb/);
  });

  it('topologies/linux-peer-dx.yaml resolves: DX with AWS rules lifted, gcm-aes-128, default timers, a BGP VIF to the peer', () => {
    const t = loadTopology('topologies/linux-peer-dx.yaml');
    expect(t.nodes.map((n) => [n.name, n.kind, n.runtime ?? null])).toEqual([
      ['peer', 'linux-peer', 'qemu-vm'],
      ['dx', 'dx-device', null],
    ]);
    expect(t.links[0]!.macsec).toMatchObject({ cipherSuites: ['gcm-aes-128'] });
    expect(t.links[0]!.macsec!.lifeTimeMs).toBeUndefined();
    expect(t.vifs[0]!.bgp).toMatchObject({ customerAsn: 65000, amazonAsn: 64512 });
  });
});

describe('guest configuration', () => {
  const plan: GuestPlan = {
    nicMtu: 1536,
    mka: { mode: 'must_encrypt', ...KEY, priority: 32 },
    vifs: [{ vlan: 100, mtu: 1500, addresses: ['169.254.100.1/30'], bgp: [{ localAsn: 65000, peerAsn: 64512, localAddress: '169.254.100.1', peerAddress: '169.254.100.2', holdTimeS: 90, keepaliveS: 30, connectRetryS: 120, md5Key: 'md5', prefixes: ['10.0.0.0/16', '2001:db8::/48'] }] }],
  };

  it("wpa_supplicant's network block: MKA with the CKN/CAK, should-secure policy, the priority, replay window 0 unless given", () => {
    const conf = wpaSupplicantConf(plan.mka!);
    for (const l of ['key_mgmt=NONE', 'eapol_flags=0', 'macsec_policy=1', 'macsec_replay_protect=1', 'macsec_replay_window=0', `mka_ckn=${KEY.ckn}`, `mka_cak=${KEY.cak}`, 'mka_priority=32']) expect(conf).toContain(`\t${l}\n`);
    expect(wpaSupplicantConf({ ...plan.mka!, priority: undefined })).toContain('\tmka_priority=255\n');
    expect(wpaSupplicantConf({ ...plan.mka!, replayWindow: 64 })).toContain('macsec_replay_window=64');
  });

  it('BIRD: one bgp protocol per session with MD5, the prefixes announced from static routes per family', () => {
    const b = birdConf(plan.vifs[0]!.bgp);
    expect(b).toContain('router id 169.254.100.1;');
    expect(b).toContain('protocol static announce4 { ipv4; route 10.0.0.0/16 blackhole; }');
    expect(b).toContain('protocol static announce6 { ipv6; route 2001:db8::/48 blackhole; }');
    expect(b).toMatch(/protocol bgp vif0 \{\n\tlocal 169\.254\.100\.1 as 65000;\n\tneighbor 169\.254\.100\.2 as 64512;\n\thold time 90;\n\tkeepalive time 30;\n\tconnect retry time 120;\n\tpassword "md5";\n\tipv4 \{ import all; export where source = RTS_STATIC; \};\n\}/);
  });

  it('the setup: NIC renamed eth0, at the wire MTU with ARP and IPv6 off, wpa_supplicant with macsec_linux, VIFs on macsec0 kept by a loop, BIRD', () => {
    const lines = guestSetupLines(plan);
    expect(lines).toContain('ip link set eth0 mtu 1536 arp off up');
    expect(lines.some((l) => l.startsWith('wpa_supplicant -B -i eth0 -D macsec_linux -c '))).toBe(true);
    expect(lines.some((l) => l.startsWith('bird -c '))).toBe(true);
    // The CAK travels base64-encoded inside one line (never echoed: the guest's console has echo off).
    const wpaLine = lines.find((l) => l.includes('wpa.conf') && l.includes('base64'))!;
    expect(Buffer.from(/echo (\S+) \|/.exec(wpaLine)![1]!, 'base64').toString()).toContain(`mka_cak=${KEY.cak}`);
    const net = netScript(plan);
    expect(net).toContain('ip link add link macsec0 name vif0 type vlan id 100 && ip link set vif0 mtu 1500');
    expect(net).toContain('ip addr add 169.254.100.1/30 dev vif0');
    // Without MACsec the addresses sit on the NIC itself, which then answers ARP.
    const clear = { ...plan, mka: undefined, vifs: [{ ...plan.vifs[0]!, vlan: undefined, bgp: [] }] };
    expect(guestSetupLines(clear)).toContain('ip link set eth0 mtu 1536 up');
    expect(netScript(clear)).toContain('ip addr add 169.254.100.1/30 dev eth0');
  });
});

// Captured on the guest: macsec0 as wpa_supplicant left it, secured with a peer (SA 0 in use both ways).
const IP_SECURED = JSON.stringify([
  {
    ifindex: 3, ifname: 'macsec0', protect: true, validate: 'strict', sc: false, sa: false, encrypt: true, send_sci: true, end_station: false, scb: false, replay: true,
    cipher_suite: 'GCM-AES-128', icv_length: 16, sci: '0x5254001234560001', encoding_sa: 0,
    OutPktsUntagged: 0, InPktsUntagged: 0, OutPktsTooLong: 0, InPktsNoTag: 0, InPktsBadTag: 0, InPktsUnknownSCI: 0, InPktsNoSCI: 2, InPktsOverrun: 0,
    OutPktsProtected: 0, OutPktsEncrypted: 17, OutOctetsProtected: 0, OutOctetsEncrypted: 1590,
    sa_list: [{ an: 0, pn: 18, active: true, key: '0123', OutPktsProtected: 0, OutPktsEncrypted: 17 }],
    rx_sc: [{ sci: '0x02aabbccddee0001', active: true, InOctetsValidated: 0, InOctetsDecrypted: 1400, InPktsUnchecked: 0, InPktsDelayed: 0, InPktsOK: 15, InPktsInvalid: 0, InPktsLate: 0, InPktsNotValid: 0, InPktsNotUsingSA: 0, InPktsUnusedSA: 0, sa_list: [{ an: 0, pn: 16, active: true, key: '0123', InPktsOK: 15, InPktsInvalid: 0, InPktsNotValid: 0, InPktsNotUsingSA: 0, InPktsUnusedSA: 0 }] }],
    offload: 'off',
  },
]);
const WPA = (secured: boolean, live: number) =>
  `bssid=01:80:c2:00:00:03\nwpa_state=COMPLETED\nPAE KaY status=Active\nAuthenticated=No\nSecured=${secured ? 'Yes' : 'No'}\nFailed=No\nActor Priority=32\nKey Server Priority=16\nIs Key Server=No\nactor_sci=52:54:00:12:34:56@1\nkey_server_sci=02:aa:bb:cc:dd:ee@1\nckn=${KEY.ckn}\nmi=40974497b8783cde7e16cdb1\nmn=2\nlive_peers=${live}\npotential_peers=0\nieee8021XKayMkaPartCKN=${KEY.ckn}\nieee8021XKayMkaPeerListMI=4f0cb9b9ed76920866b74dd5\nieee8021XKayMkaPeerListMN=63\nieee8021XKayMkaPeerListType=1\nieee8021XKayMkaPeerListSCI=02:aa:bb:cc:dd:ee@1\n`;

describe('guest static SAs (ip macsec)', () => {
  const key = (b: string, n: number) => b.repeat(n);
  it('XPN: the device with its suite and encoding SA, xpn PNs with SSCI and salt, the peer\'s SC by port and address, 16-octet key IDs', () => {
    const lines = staticSasLines({
      cipherSuite: 'gcm-aes-xpn-256',
      peerSci: '020000000a0b0001',
      tx: { an: 3, key: key('aa', 32), pn: (1n << 32n) - 3n, ssci: 2, salt: key('5a', 12) },
      rx: [{ an: 2, key: key('bb', 32), pn: (1n << 32n) - 3n, ssci: 1, salt: key('a5', 12) }],
    });
    expect(lines).toEqual([
      'ip link del macsec0 2>/dev/null; true',
      'ip link add link eth0 macsec0 type macsec port 1 cipher gcm-aes-xpn-256 encrypt on send_sci on replay on window 0 validate strict encodingsa 3',
      `ip macsec add macsec0 tx sa 3 xpn 4294967293 ssci 2 salt ${key('5a', 12)} on key ${'13'.padStart(32, '0')} ${key('aa', 32)}`,
      'ip macsec add macsec0 rx port 1 address 02:00:00:00:0a:0b on',
      `ip macsec add macsec0 rx port 1 address 02:00:00:00:0a:0b sa 2 xpn 4294967293 ssci 1 salt ${key('a5', 12)} on key ${'22'.padStart(32, '0')} ${key('bb', 32)}`,
    ]);
  });
  it('a suite without XPN: pn, no SSCI or salt; replay off has no window', () => {
    const lines = staticSasLines({ cipherSuite: 'gcm-aes-128', peerSci: '0200000000010002', tx: { an: 0, key: key('aa', 16), pn: 1000n }, rx: [{ an: 1, key: key('bb', 16), pn: 7n }], replayProtect: false });
    expect(lines[1]).toBe('ip link add link eth0 macsec0 type macsec port 1 cipher gcm-aes-128 encrypt on send_sci on replay off validate strict encodingsa 0');
    expect(lines[2]).toBe(`ip macsec add macsec0 tx sa 0 pn 1000 on key ${'10'.padStart(32, '0')} ${key('aa', 16)}`);
    expect(lines[4]).toBe(`ip macsec add macsec0 rx port 2 address 02:00:00:00:00:01 sa 1 pn 7 on key ${'21'.padStart(32, '0')} ${key('bb', 16)}`);
  });
});

describe('guest status', () => {
  const ctx = { name: 'eth1', wire: 'dxl0b', taps: [{ name: 'dxt0', vlan: 100, mtu: 1500 }], mode: 'should_encrypt' };

  it('secured: our status fields from ip -j -s macsec show and wpa_cli status, the counters under our names', () => {
    const s = guestPortStatus(`${IP_SECURED}\n\n${STATUS_SEPARATOR}\n${WPA(true, 1)}`, ctx);
    expect(s).toMatchObject({ name: 'eth1', kind: 'macsec', mode: 'should_encrypt', secured: true, controlledPort: 'secured', sci: '5254001234560001', encodingAn: 0, cipherSuite: 'GCM-AES-128' });
    expect(s.kay).toMatchObject({ secured: true, keyChain: { inUse: KEY.ckn } });
    expect((s.kay as { participants: unknown[] }).participants).toEqual([
      { ckn: KEY.ckn, keyChainIndex: 0, principal: true, mi: '40974497b8783cde7e16cdb1', mn: 2, livePeers: [{ mi: '4f0cb9b9ed76920866b74dd5', mn: 63, sci: '02:aa:bb:cc:dd:ee/1' }], potentialPeers: [], keyServer: { sci: '02:aa:bb:cc:dd:ee/1', mi: '4f0cb9b9ed76920866b74dd5', self: false } },
    ]);
    expect((s.kay as { notSecured?: unknown }).notSecured).toBeUndefined();
    expect(s.secy).toMatchObject({ secy: { inPktsNoSCI: 2 }, txSc: { outPktsEncrypted: 17, outOctetsEncrypted: 1590 }, txSas: [{ an: 0, inUse: true, nextPn: 18 }], rxScs: [{ sci: '02aabbccddee0001', inPktsOK: 15, inOctetsDecrypted: 1400, sas: [{ an: 0, nextPn: 16 }] }] });
  });

  it('not secured: the reason in our codes (no peer heard, negotiating), wpa_supplicant not running, MACsec off', () => {
    const unsecured = JSON.stringify([{ ...JSON.parse(IP_SECURED)[0], sa_list: [], rx_sc: [] }]);
    expect(guestPortStatus(`${unsecured}\n${STATUS_SEPARATOR}\n${WPA(false, 0)}`, ctx)).toMatchObject({ secured: false, controlledPort: 'blocked', encodingAn: null, kay: { notSecured: { code: 'noPeerHeard' } } });
    expect(guestPortStatus(`${unsecured}\n${STATUS_SEPARATOR}\n${WPA(false, 1)}`, ctx)).toMatchObject({ secured: false, kay: { notSecured: { code: 'negotiating' } } });
    // Secured=Yes from wpa_supplicant but no transmit SA in use yet: not secured.
    expect(guestPortStatus(`${unsecured}\n${STATUS_SEPARATOR}\n${WPA(true, 1)}`, ctx).secured).toBe(false);
    expect(guestPortStatus(`\n${STATUS_SEPARATOR}\n`, ctx)).toMatchObject({ secured: false, secy: null, kay: { notSecured: { code: 'notStarted' } } });
    expect(guestPortStatus(`\n${STATUS_SEPARATOR}\n`, { ...ctx, mode: 'no_encrypt' })).toMatchObject({ controlledPort: 'clear', kay: { notSecured: { code: 'mkaDisabled' } } });
  });

  it("BGP from birdc show protocols all, by the parser of our own BIRD speaker", () => {
    const birdc = `BIRD 2.0.12 ready.\nName       Proto      Table      State  Since         Info\nvif0       BGP        ---        up     2026-12-06 12:00:00  Established   \n  BGP state:          Established\n    Neighbor address: 169.254.100.2\n    Hold timer:       80.1/90\n    Keepalive timer:  10.2/30\n  Channel ipv4\n    State:          UP\n    Routes:         1 imported, 1 exported, 1 preferred\n`;
    const s = { localAsn: 65000, peerAsn: 64512, localAddress: '169.254.100.1', peerAddress: '169.254.100.2', holdTimeS: 90, keepaliveS: 30, connectRetryS: 120, prefixes: [] };
    expect(parseBirdProtocols(birdc, [s], 'dxt0')).toEqual([expect.objectContaining({ tap: 'dxt0', speaker: 'bird', state: 'Established', holdTimeS: 90, prefixes: { received: { ipv4: 1, ipv6: 0 }, advertised: { ipv4: 1, ipv6: 0 } } })]);
    expect(parseBirdProtocols('', [s], 'dxt0')[0]!.state).toBe('Idle');
  });
});
