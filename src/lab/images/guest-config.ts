/**
 * What the linux-peer guest is told to do, as text: wpa_supplicant's
 * configuration (MKA), BIRD's (BGP), and the shell lines the VM node
 * (runtimes/vm-node.ts) runs on the guest's console. Pure: no I/O; the
 * lines carry the CAK, so the caller never logs them.
 *
 * Sources:
 * - wpa_supplicant 2.10's network block for MKA with a pre-shared CAK
 *   (wpa_supplicant/wpa_supplicant.conf, "MACsec" and the example
 *   wpa_supplicant/examples/macsec.conf): key_mgmt=NONE, eapol_flags=0,
 *   macsec_policy (0: should not secure, 1: should secure),
 *   macsec_replay_protect / macsec_replay_window, macsec_port, mka_cak,
 *   mka_ckn, mka_priority (255 = lowest; 802.1X-2020 9.5.1), ap_scan=0 and
 *   `-D macsec_linux`, which creates macsec0 on the NIC through the kernel's
 *   macsec netlink API (src/drivers/driver_macsec_linux.c).
 * - BIRD 2's user's guide: `protocol bgp` with `local ... as`, `neighbor
 *   ... as`, `hold time`, `keepalive time`, `password` (TCP MD5 on Linux),
 *   per-channel `import`/`export`; `protocol static` routes to announce.
 * - ip-link(8) / ip-macsec(8): `ip link add link DEV NAME type vlan id N`.
 */
import type { EncryptionMode } from '../../mka/index.js';

/** One BGP session the guest's BIRD runs (a node configuration's tap.bgp). */
export interface GuestBgpSession {
  localAsn: number;
  peerAsn: number;
  localAddress: string;
  peerAddress: string;
  holdTimeS: number;
  keepaliveS: number;
  connectRetryS: number;
  md5Key?: string;
  prefixes: string[];
}

/** One VIF of the guest: on macsec0 (or the NIC when MACsec is off), tagged or not. */
export interface GuestVif {
  vlan?: number;
  mtu: number;
  addresses: string[];
  bgp: GuestBgpSession[];
}

export interface GuestMka {
  mode: EncryptionMode;
  /** hex */
  ckn: string;
  /** hex; written into the guest only. */
  cak: string;
  priority?: number;
  replayWindow?: number;
  replayProtect?: boolean;
}

export interface GuestPlan {
  /** The NIC's MTU: the lab wire's. The kernel gives macsec0 this minus 32 (SecTAG with SCI, ICV). */
  nicMtu: number;
  /** MKA by wpa_supplicant; absent (and no static SAs): the link has no MACsec. */
  mka?: GuestMka;
  /** Static SAs by `ip macsec` instead of MKA (a link's `macsec.staticSas`). */
  static?: GuestStaticSas;
  vifs: GuestVif[];
}

/** Where the guest keeps what the VM node writes (a tmpfs: gone with the VM). */
export const GUEST_DIR = '/run/dxlab';
export const GUEST_WPA_CONF = `${GUEST_DIR}/wpa.conf`;
export const GUEST_WPA_LOG = `${GUEST_DIR}/wpa.log`;
export const GUEST_BIRD_CONF = `${GUEST_DIR}/bird.conf`;
export const GUEST_BIRD_SOCKET = '/run/bird/bird.ctl';
export const GUEST_NET_SCRIPT = `${GUEST_DIR}/net.sh`;

/** wpa_supplicant's default key-server priority (mka_priority unset), the lowest precedence but 255's "never". */
export const WPA_DEFAULT_PRIORITY = 255;

/** wpa_supplicant's network block for MKA with the link's CKN/CAK. */
export function wpaSupplicantConf(m: GuestMka): string {
  return [
    'ctrl_interface=/run/wpa_supplicant',
    'eapol_version=3',
    'ap_scan=0',
    'network={',
    '\tkey_mgmt=NONE',
    '\teapol_flags=0',
    // must_encrypt and should_encrypt both want a secured session; the kernel
    // never falls back to clear on macsec0 (the guest's side of should_encrypt
    // behaves as must_encrypt: README, linux-peer).
    '\tmacsec_policy=1',
    '\tmacsec_integ_only=0',
    `\tmacsec_replay_protect=${m.replayProtect === false ? 0 : 1}`,
    `\tmacsec_replay_window=${m.replayWindow ?? 0}`,
    '\tmacsec_port=1',
    `\tmka_cak=${m.cak}`,
    `\tmka_ckn=${m.ckn}`,
    `\tmka_priority=${m.priority ?? WPA_DEFAULT_PRIORITY}`,
    '}',
    '',
  ].join('\n');
}

const isV6 = (a: string) => a.includes(':');

/** BIRD 2's configuration: one `protocol bgp` per session, its prefixes announced from static blackhole routes. */
export function birdConf(sessions: GuestBgpSession[]): string {
  const v4 = sessions.find((s) => !isV6(s.localAddress));
  const lines = [`log "${GUEST_DIR}/bird.log" all;`, 'timeformat protocol iso long;', `router id ${v4?.localAddress ?? '192.0.2.1'};`, 'protocol device {}'];
  const p4 = [...new Set(sessions.flatMap((s) => s.prefixes.filter((p) => !isV6(p))))];
  const p6 = [...new Set(sessions.flatMap((s) => s.prefixes.filter(isV6)))];
  if (p4.length) lines.push(`protocol static announce4 { ipv4; ${p4.map((p) => `route ${p} blackhole;`).join(' ')} }`);
  if (p6.length) lines.push(`protocol static announce6 { ipv6; ${p6.map((p) => `route ${p} blackhole;`).join(' ')} }`);
  sessions.forEach((s, i) => {
    const fam = isV6(s.localAddress) ? 'ipv6' : 'ipv4';
    lines.push(
      `protocol bgp vif${i} {`,
      `\tlocal ${s.localAddress} as ${s.localAsn};`,
      `\tneighbor ${s.peerAddress} as ${s.peerAsn};`,
      `\thold time ${s.holdTimeS};`,
      `\tkeepalive time ${s.keepaliveS};`,
      `\tconnect retry time ${s.connectRetryS};`,
      ...(s.md5Key ? [`\tpassword "${s.md5Key.replace(/["\\]/g, '')}";`] : []),
      `\t${fam} { import all; export where source = RTS_STATIC; };`,
      '}',
    );
  });
  return lines.join('\n') + '\n';
}

/**
 * A script the guest runs in a loop (every second): it (re)makes the VIFs'
 * devices and addresses whenever their parent is there without them, since
 * wpa_supplicant creates macsec0 when its KaY starts and may delete and
 * recreate it (a lost peer, a restart).
 */
export function netScript(plan: GuestPlan): string {
  const parent = plan.mka || plan.static ? 'macsec0' : 'eth0';
  const lines = ['#!/bin/sh', `[ -e /sys/class/net/${parent} ] || exit 0`];
  plan.vifs.forEach((v, i) => {
    const dev = v.vlan === undefined ? parent : `vif${i}`;
    const make = v.vlan === undefined ? (parent === 'macsec0' ? `ip link set ${parent} mtu ${v.mtu}` : 'true') : `ip link add link ${parent} name ${dev} type vlan id ${v.vlan} && ip link set ${dev} mtu ${v.mtu}`;
    // After a mode change (modeChangeLines) a VIF may still be where the old parent had it: a VLAN device on the
    // other parent is deleted, an untagged VIF's addresses leave eth0 once they belong on macsec0.
    if (v.vlan !== undefined) lines.push(`ip -o link show dev ${dev} 2>/dev/null | grep -q '${dev}@' && ! ip -o link show dev ${dev} | grep -q '${dev}@${parent}:' && ip link del ${dev}`);
    else if (parent === 'macsec0') lines.push(...v.addresses.map((a) => `ip addr del ${a} dev eth0 2>/dev/null`));
    lines.push(
      `if ! ip -o addr show dev ${dev} 2>/dev/null | grep -q 'inet ${v.addresses[0]!.split('/')[0]}/'; then`,
      `  [ -e /sys/class/net/${dev} ] || { ${make}; }`,
      ...v.addresses.map((a) => `  ip addr add ${a} dev ${dev} 2>/dev/null`),
      `  ip link set ${parent} up; ip link set ${dev} up`,
      'fi',
    );
  });
  return lines.join('\n') + '\n';
}

/** One static SA as the guest's `ip macsec` takes it: hex key and salt, the first PN. */
export interface GuestStaticSa {
  an: number;
  /** hex; written into the guest only. */
  key: string;
  pn: bigint;
  ssci?: number;
  /** hex, 12 octets (XPN) */
  salt?: string;
}

/** The guest's macsec0 with static SAs (a node's `macsec.staticSas` seen from the guest): no wpa_supplicant. */
export interface GuestStaticSas {
  /** gcm-aes-128, gcm-aes-256, gcm-aes-xpn-128 or gcm-aes-xpn-256: ip-link(8)'s spelling, as ours. */
  cipherSuite: string;
  /** The peer's SCI, 16 hex digits: its MAC and port. */
  peerSci: string;
  tx: GuestStaticSa;
  rx: GuestStaticSa[];
  replayProtect?: boolean;
  replayWindow?: number;
}

/** ip-macsec(8)'s SA options: `pn` up to 2^32-1, `xpn` (64-bit) with an XPN suite, then its SSCI and salt. */
function saOptions(suite: string, sa: GuestStaticSa): string {
  const xpn = suite.includes('xpn');
  return `${xpn ? 'xpn' : 'pn'} ${sa.pn}${xpn ? ` ssci ${sa.ssci} salt ${sa.salt}` : ''} on`;
}

/**
 * The console lines that (re)make the guest's macsec0 on eth0 with static
 * SAs (ip-link(8) `type macsec`, ip-macsec(8) `tx sa` / `rx ... sa`, iproute2
 * 6.1: `OPTS := [ pn | xpn ] [ salt SALT ] [ ssci SSCI ] [ on | off ]`; a
 * key ID of 16 octets, which the kernel requires, MACSEC_KEYID_LEN): any
 * macsec0 there (wpa_supplicant's, or one made here before) is deleted
 * first; the net script (netScript) puts the VIFs back on the new one. The
 * guest's SCI is its NIC's MAC and port 1, as wpa_supplicant's is.
 */
export function staticSasLines(s: GuestStaticSas): string[] {
  const mac = s.peerSci.slice(0, 12).match(/../g)!.join(':');
  const port = Number.parseInt(s.peerSci.slice(12), 16);
  const keyId = (dir: number, an: number) => `${dir}${an}`.padStart(32, '0');
  return [
    'ip link del macsec0 2>/dev/null; true',
    `ip link add link eth0 macsec0 type macsec port 1 cipher ${s.cipherSuite} encrypt on send_sci on ${s.replayProtect === false ? 'replay off' : `replay on window ${s.replayWindow ?? 0}`} validate strict encodingsa ${s.tx.an}`,
    `ip macsec add macsec0 tx sa ${s.tx.an} ${saOptions(s.cipherSuite, s.tx)} key ${keyId(1, s.tx.an)} ${s.tx.key}`,
    `ip macsec add macsec0 rx port ${port} address ${mac} on`,
    ...s.rx.map((r) => `ip macsec add macsec0 rx port ${port} address ${mac} sa ${r.an} ${saOptions(s.cipherSuite, r)} key ${keyId(2, r.an)} ${r.key}`),
  ];
}

/**
 * The console lines that change a running guest's mode (`dxlab set NODE
 * PORT mode MODE`): to no_encrypt, wpa_supplicant stops, macsec0 goes and
 * the VIFs come back on eth0 (answering ARP again); from no_encrypt,
 * wpa_supplicant starts again with the configuration the guest has (the
 * one written at boot, or what a user put there with `dxlab exec`; written
 * from the plan when the guest started in no_encrypt and has none) and the
 * VIFs move back onto the macsec0 it makes. Between should_encrypt and
 * must_encrypt nothing in the guest changes: wpa_supplicant's macsec_policy
 * is strict for both (wpaSupplicantConf). The net script, rewritten for the
 * new parent, remakes the VIFs within a second; the old ones go first.
 */
export function modeChangeLines(plan: GuestPlan & { mka: GuestMka }, from: EncryptionMode, to: EncryptionMode): string[] {
  const onMacsec = (m: EncryptionMode) => m !== 'no_encrypt';
  if (onMacsec(from) === onMacsec(to)) return [];
  const dropVifs = 'for d in /sys/class/net/vif*; do [ -e "$d" ] && ip link del "${d##*/}"; done; true';
  // The net script for the new parent first: its loop must not remake a VIF on the old one after it went.
  if (to === 'no_encrypt') return [writeFileLine(GUEST_NET_SCRIPT, netScript({ ...plan, mka: undefined })), 'wpa_cli -i eth0 terminate >/dev/null 2>&1; sleep 1; ip link del macsec0 2>/dev/null; true', dropVifs, 'ip link set eth0 arp on'];
  return [
    `[ -e ${GUEST_WPA_CONF} ] || { ${writeFileLine(GUEST_WPA_CONF, wpaSupplicantConf({ ...plan.mka, mode: to }))}; }`,
    writeFileLine(GUEST_NET_SCRIPT, netScript({ ...plan, mka: { ...plan.mka, mode: to } })),
    dropVifs,
    'ip link set eth0 arp off',
    `wpa_supplicant -B -i eth0 -D macsec_linux -c ${GUEST_WPA_CONF} -f ${GUEST_WPA_LOG}`,
  ];
}

/** A shell line writing `text` to `file` in the guest (base64: one line, no quoting of its contents), root-only. */
export function writeFileLine(file: string, text: string): string {
  return `umask 077; echo ${Buffer.from(text).toString('base64')} | base64 -d > ${file}`;
}

/**
 * The guest's setup, one console line each, in order: the NIC named eth0
 * (udev in the initramfs names it enp0s*), sized to the wire and silent in
 * clear (no IPv6, no ARP: the kernel would answer ARP for macsec0's
 * addresses on eth0, arp_ignore 0); wpa_supplicant on it; the VIFs kept by
 * the net script; BIRD.
 */
export function guestSetupLines(plan: GuestPlan): string[] {
  const lines = [
    `mkdir -p ${GUEST_DIR}`,
    `n=$(ls /sys/class/net | grep -v '^lo$' | head -n 1); [ "$n" = eth0 ] || ip link set "$n" name eth0`,
    'echo 1 > /proc/sys/net/ipv6/conf/eth0/disable_ipv6',
    `ip link set eth0 mtu ${plan.nicMtu} ${plan.mka || plan.static ? 'arp off ' : ''}up`,
  ];
  if (plan.mka) {
    lines.push(writeFileLine(GUEST_WPA_CONF, wpaSupplicantConf(plan.mka)));
    lines.push(`wpa_supplicant -B -i eth0 -D macsec_linux -c ${GUEST_WPA_CONF} -f ${GUEST_WPA_LOG}`);
  } else if (plan.static) {
    lines.push(...staticSasLines(plan.static), 'ip link set macsec0 up');
  }
  lines.push(writeFileLine(GUEST_NET_SCRIPT, netScript(plan)));
  lines.push(`(while true; do sh ${GUEST_NET_SCRIPT} >/dev/null 2>&1; sleep 1; done) >/dev/null 2>&1 </dev/null &`);
  const sessions = plan.vifs.flatMap((v) => v.bgp);
  if (sessions.length) {
    lines.push(writeFileLine(GUEST_BIRD_CONF, birdConf(sessions)));
    lines.push(`bird -c ${GUEST_BIRD_CONF} -s ${GUEST_BIRD_SOCKET}`);
  }
  return lines;
}
