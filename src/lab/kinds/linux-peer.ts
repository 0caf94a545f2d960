/**
 * A real peer: the Linux kernel's MACsec driver and wpa_supplicant's MKA
 * (the macsec_linux driver) in a virtual machine (runtimes/qemu-vm.ts), as
 * the customer's router, with BIRD for BGP. The topology's `macsec:` is
 * mapped onto wpa_supplicant's network block and the kernel's macsec0
 * (images/guest-config.ts); what the guest's software cannot do is refused
 * here, naming the field, rather than silently ignored.
 *
 * Facts this kind is built on (Debian 12: Linux 6.1, wpa_supplicant 2.10;
 * wpa_supplicant's src/pae/ieee802_1x_kay.h and its config parser, the
 * options its binary knows: macsec_policy, macsec_integ_only,
 * macsec_replay_protect, macsec_replay_window, macsec_port, mka_priority,
 * mka_cak, mka_ckn):
 * - its KaY offers only GCM-AES-128 (a 128-bit SAK even with a 32-octet CAK)
 *   and announces no cipher suites, so the link must list gcm-aes-128;
 * - its MKA Hello Time is 2 s and its Life Time 6 s (MKA_HELLO_TIME,
 *   MKA_LIFE_TIME), fixed: a Life Time of ours below 6 s (the `fast`
 *   profile's 1.5 s) expires it between two of its hellos;
 * - no knob for the EAPOL destination or EtherType, the confidentiality
 *   offset (2.10 has none in its configuration), the SAK rekey interval or
 *   the PN threshold.
 */
import type { MacsecOptions, TopoNode } from '../topology.js';
import type { Fail, NodeKindModule } from './types.js';

/** wpa_supplicant 2.10's KaY: the one cipher suite it distributes and accepts (ieee802_1x_kay.c, cipher_suite_tbl with one entry in use). */
export const WPA_SUPPLICANT_SUITE = 'gcm-aes-128';
/** wpa_supplicant's MKA_LIFE_TIME (src/pae/ieee802_1x_kay.h): its peers must hear it within this, and it hellos every 2 s. */
export const WPA_SUPPLICANT_LIFE_TIME_MS = 6000;

function checkMacsec(_node: TopoNode, m: MacsecOptions, at: Array<string | number>, fail: Fail): void {
  // Static SAs go to the guest's kernel by `ip macsec`, without wpa_supplicant: any of the four suites, no MKA timers.
  if (!m.staticSas && !m.cipherSuites.includes(WPA_SUPPLICANT_SUITE)) fail([...at, 'cipherSuites'], `a linux-peer runs wpa_supplicant 2.10, whose MKA offers only ${WPA_SUPPLICANT_SUITE}: list it (got ${m.cipherSuites.join(', ')})`);
  if (!m.staticSas && m.lifeTimeMs !== undefined && m.lifeTimeMs < WPA_SUPPLICANT_LIFE_TIME_MS) fail([...at, 'lifeTimeMs'], `a linux-peer's wpa_supplicant sends a hello every 2 s: a Life Time of ${m.lifeTimeMs} ms (profile fast?) expires it between two; use the default timers`);
  const unsupported: Array<[keyof MacsecOptions, string]> = [
    ['eapolDestination', 'its EAPOL destination is fixed (the PAE group address)'],
    ['eapolEtherType', 'its EAPOL EtherType is fixed (0x888E)'],
    ['clearTextEtherTypes', 'the kernel sends nothing in clear beside macsec0'],
    ['confidentialityOffset', 'wpa_supplicant 2.10 has no confidentiality offset setting'],
    ['sakRekeyIntervalS', 'wpa_supplicant 2.10 has no SAK rekey timer'],
    ['pnThreshold', 'wpa_supplicant 2.10 has no PN threshold setting'],
  ];
  for (const [field, why] of unsupported) if (m[field] !== undefined) fail([...at, field], `a linux-peer cannot take ${field}: ${why}`);
}

export const linuxPeer: NodeKindModule = {
  name: 'linux-peer',
  nodeKind: 'router',
  schema: {
    memoryMb: { type: 'integer', minimum: 256, maximum: 4096, description: "The guest's memory in MiB. Default 384." },
  },
  vifEnd: 'customer',
  runtime: 'qemu-vm',
  checkMacsec,
  nodeConfig: (node) => ({ linuxPeer: { memoryMb: (node.options?.memoryMb as number | undefined) ?? 384 } }),
};
