/**
 * `dxlab config`'s text (vendor-config.ts): each vendor's knob names from
 * the interop field notes' knob table, the lab's values in them, and no CAK
 * unless one is given.
 */
import { describe, expect, it } from 'vitest';
import { VENDORS, renderVendorConfig, type PortMacsecView } from '../../../src/scenario/index.js';

const CKN = 'ab'.repeat(32);
const CAK = 'cd'.repeat(32);
const PORT: PortMacsecView = {
  node: 'dx',
  port: 'eth1',
  kind: 'dx-device',
  mode: 'should_encrypt',
  cipherSuites: ['gcm-aes-xpn-256', 'gcm-aes-256'],
  keyChain: [{ ckn: CKN, inUse: true }],
  keyServerPriority: 32,
  ownKeyServerPriority: 16,
  includeSci: true,
  eapolDestination: '01:80:c2:00:00:03',
  eapolEtherType: 0x888e,
  replayProtect: true,
  replayWindow: 64,
  confidentialityOffset: 0,
  sci: '020000000101' + '0001',
};
const HINT = 'dxlab config dx eth1 --vendor V --show-keys prints it';

describe('renderVendorConfig', () => {
  it('never prints a CAK it was not given, and says how to get it', () => {
    for (const v of VENDORS) {
      const t = renderVendorConfig(PORT, v, HINT);
      expect(t).toContain(CKN);
      expect(t).not.toContain(CAK);
      expect(t).toContain(HINT);
      expect(t).toMatch(/NOT tested against a real router/);
    }
  });

  it('prints the CAK when the keys were asked for', () => {
    const withKey = { ...PORT, keyChain: [{ ckn: CKN, cak: CAK, inUse: true }] };
    for (const v of VENDORS) expect(renderVendorConfig(withKey, v, HINT)).toContain(CAK);
  });

  it("uses each vendor's knob names (field notes' knob table)", () => {
    const xe = renderVendorConfig(PORT, 'cisco-iosxe', HINT);
    expect(xe).toContain('cryptographic-algorithm aes-256-cmac');
    expect(xe).toContain('key-server priority 32');
    expect(xe).toContain('macsec-cipher-suite gcm-aes-xpn-256');
    expect(xe).toContain('ssci-based-on-sci');
    const xr = renderVendorConfig(PORT, 'cisco-iosxr', HINT);
    expect(xr).toContain('security-policy should-secure');
    expect(xr).toContain('cipher-suite GCM-AES-XPN-256');
    expect(xr).toContain('key-server-priority 32');
    expect(xr).toContain('window-size 64');
    const junos = renderVendorConfig(PORT, 'junos', HINT);
    expect(junos).toContain('should-secure;');
    expect(junos).toContain('include-sci;');
    expect(junos).toContain('key-server-priority 32;');
    expect(junos).toContain('replay-window-size 64;');
    expect(junos).not.toContain('eapol-address');
    const eos = renderVendorConfig(PORT, 'eos', HINT);
    expect(eos).toContain('cipher aes256-gcm-xpn');
    expect(eos).toContain('traffic unprotected allow');
    expect(eos).toContain('mka key-server priority 32');
  });

  it('must_encrypt drops the should-secure words', () => {
    const must = { ...PORT, mode: 'must_encrypt' as const };
    expect(renderVendorConfig(must, 'cisco-iosxr', HINT)).toContain('security-policy must-secure');
    expect(renderVendorConfig(must, 'junos', HINT)).not.toContain('should-secure');
    expect(renderVendorConfig(must, 'eos', HINT)).not.toContain('traffic unprotected allow');
  });

  it("moves Junos's eapol-address with the port's EAPOL destination", () => {
    expect(renderVendorConfig({ ...PORT, eapolDestination: '01:80:c2:00:00:00' }, 'junos', HINT)).toContain('eapol-address provider-bridge;');
    expect(renderVendorConfig({ ...PORT, eapolDestination: '01:80:c2:00:00:0e' }, 'junos', HINT)).toContain('eapol-address lldp-multicast;');
    expect(renderVendorConfig({ ...PORT, eapolDestination: '01:80:c2:00:00:00' }, 'cisco-iosxr', HINT)).toMatch(/EAPOL: destination 01:80:c2:00:00:00/);
  });

  it("a LAG: each vendor's aggregate, the same MACsec on every member, every member's SCI", () => {
    const lag: PortMacsecView = { ...PORT, port: 'lag1', mode: 'must_encrypt', lag: { members: [{ port: 'eth1', sci: '020000000101' + '0001' }, { port: 'eth2', sci: '020000000102' + '0002' }], lacpRate: 'fast' } };
    const count = (t: string, w: string) => t.split(w).length - 1;
    for (const v of VENDORS) expect(renderVendorConfig(lag, v, HINT)).toMatch(/Lab LAG lag1: 2 members \(eth1 SCI 0200000001010001, eth2 SCI 0200000001020002\)/);
    const junos = renderVendorConfig(lag, 'junos', HINT);
    expect(junos).toContain('802.3ad ae0;');
    expect(count(junos, '802.3ad ae0;')).toBe(2);
    expect(count(junos, 'connectivity-association DXLAB-CA;')).toBe(2);
    expect(junos).toContain('    ae0 {');
    expect(junos).toContain('periodic fast;');
    expect(renderVendorConfig({ ...lag, lag: { ...lag.lag!, lacpRate: 'slow' } }, 'junos', HINT)).not.toContain('periodic fast;');
    const xe = renderVendorConfig(lag, 'cisco-iosxe', HINT);
    expect(xe).toContain('interface Port-channel1');
    expect(count(xe, ' channel-group 1 mode active')).toBe(2);
    expect(count(xe, ' mka pre-shared-key key-chain DXLAB-KC')).toBe(2);
    // IOS XE takes no MACsec on the Port-channel itself: nothing MACsec between it and the first member.
    expect(xe.slice(xe.indexOf('interface Port-channel1'), xe.indexOf('interface TenGigabitEthernet1/0/1'))).not.toMatch(/macsec|mka/);
    const xr = renderVendorConfig(lag, 'cisco-iosxr', HINT);
    expect(xr).toContain('interface Bundle-Ether1');
    expect(count(xr, ' bundle id 1 mode active')).toBe(2);
    expect(count(xr, ' macsec psk-keychain DXLAB-KC policy DXLAB-POLICY')).toBe(2);
    expect(xr).toContain('security-policy must-secure');
    const eos = renderVendorConfig(lag, 'eos', HINT);
    expect(eos).toContain('interface Port-Channel1');
    expect(count(eos, '   channel-group 1 mode active')).toBe(2);
    expect(count(eos, '   mac security profile DXLAB')).toBe(2);
    // A single port keeps its single interface and no aggregate.
    expect(renderVendorConfig(PORT, 'junos', HINT)).not.toContain('ae0');
    expect(count(renderVendorConfig(PORT, 'eos', HINT), 'mac security profile DXLAB')).toBe(1);
  });
});
