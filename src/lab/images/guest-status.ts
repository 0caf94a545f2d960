/**
 * The linux-peer guest's state in the JSON of our nodes' control socket
 * (src/node/control.ts `status`, `counters`, `bgp`), as far as the guest's
 * tools carry the fields. Pure: parses text the VM node read on the console.
 *
 * Sources, as read on the guest (Debian 12):
 * - `ip -j -s macsec show macsec0` (iproute2 6.1): one JSON object per
 *   MACsec device with `sci`, `cipher_suite`, `encoding_sa`, `validate`,
 *   `replay`, the SecY counters named as 802.1AE-2018 10.7 names them
 *   (`OutPktsProtected`, `InPktsOK`, ...), `sa_list` (transmit SAs) and
 *   `rx_sc` (each with its counters and `sa_list`). Its names, first letter
 *   lowered, are our counters' names (src/macsec/counters.ts).
 * - `wpa_cli -i eth0 status` (wpa_supplicant 2.10,
 *   ieee802_1x_kay_get_status): `key=value` lines, among them `PAE KaY
 *   status`, `Secured`, `Is Key Server`, `Actor Priority`, `Key Server
 *   Priority`, `actor_sci`, `key_server_sci`, `ckn`, `mi`, `mn`,
 *   `live_peers`, `potential_peers`, `Number of Keys Distributed/Received`;
 *   `wpa_cli mib` lists each peer as four lines `ieee8021XKayMkaPeerListMI`,
 *   `...MN`, `...Type` (1 live, 2 potential: ieee802_1x_kay_get_mib) and
 *   `...SCI` (`02:aa:bb:cc:dd:ee@1`).
 * - `birdc show protocols all` (BIRD 2.0): per protocol a header line
 *   `name proto table state since info` (info `Established` for a BGP
 *   session that is up) and indented details.
 */
import { birdPeerStatus, parseBirdProtocol, type BgpPeerStatus } from '../../node/index.js';
import type { GuestBgpSession } from './guest-config.js';

/** Separates the two outputs of STATUS_LINE. */
export const STATUS_SEPARATOR = '--dxlab-wpa--';
/** One console line reading the guest's MACsec device and wpa_supplicant's state and peer list (its MIB). */
export const STATUS_LINE = `ip -j -s macsec show macsec0 2>/dev/null; echo; echo ${STATUS_SEPARATOR}; wpa_cli -i eth0 status 2>/dev/null; wpa_cli -i eth0 mib 2>/dev/null | grep KayMkaPeerList`;

type Json = Record<string, unknown>;

/** `InPktsOK` -> `inPktsOK`: the kernel's counter names, as ours spell them. */
const lower = (k: string) => k[0]!.toLowerCase() + k.slice(1);

/** The fields of an object whose names start with In or Out and whose values are numbers, renamed as ours. */
function counters(o: Json): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => /^(In|Out)/.test(k) && typeof v === 'number').map(([k, v]) => [lower(k), v as number]));
}

/** `0x5254001234560001` -> `5254001234560001`, as our SCIs are written (16 hex digits). */
const sciHex = (s: unknown) => (typeof s === 'string' ? s.replace(/^0x/, '').padStart(16, '0') : null);

/** wpa_supplicant's SCI `02:aa:bb:cc:dd:ee@1` as `dxlab show mka` writes ours: `02:aa:bb:cc:dd:ee/1`. */
const sciText = (s: string) => s.replace('@', '/');

/** The peers of wpa_cli's MIB, live and potential. */
export function parseMibPeers(text: string): { live: Array<{ mi: string; mn: number; sci: string }>; potential: Array<{ mi: string; mn: number; sci: string }> } {
  const out = { live: [] as Array<{ mi: string; mn: number; sci: string }>, potential: [] as Array<{ mi: string; mn: number; sci: string }> };
  let cur: { mi?: string; mn?: number; type?: string } = {};
  for (const l of text.split('\n')) {
    const m = /^ieee8021XKayMkaPeerList(MI|MN|Type|SCI)=(.*)$/.exec(l.trim());
    if (!m) continue;
    if (m[1] === 'MI') cur = { mi: m[2]! };
    else if (m[1] === 'MN') cur.mn = Number(m[2]);
    else if (m[1] === 'Type') cur.type = m[2];
    else if (cur.mi) (cur.type === '1' ? out.live : out.potential).push({ mi: cur.mi, mn: cur.mn ?? 0, sci: sciText(m[2]!) });
  }
  return out;
}

/** `key=value` lines. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) out[l.slice(0, i).trim()] = l.slice(i + 1).trim();
  }
  return out;
}

/** The MACsec device in `ip -j -s macsec show` output, or undefined (no device: MACsec off, or wpa_supplicant not running). */
export function parseMacsecDevice(text: string): Json | undefined {
  const line = text.split('\n').find((l) => l.trim().startsWith('['));
  if (!line) return undefined;
  try {
    const all = JSON.parse(line) as Json[];
    return all.find((d) => d.ifname === 'macsec0') ?? all[0];
  } catch {
    return undefined;
  }
}

/** The SecY counters in our `counters` shape (src/macsec/secy.ts snapshot): secy, txSc, txSas, rxScs. */
export function secyCounters(dev: Json): Record<string, unknown> {
  const sas = (x: unknown) => (Array.isArray(x) ? (x as Json[]) : []);
  return {
    secy: Object.fromEntries(Object.entries(counters(dev)).filter(([k]) => !/^out(Pkts(Protected|Encrypted)|Octets)/.test(k))),
    txSc: Object.fromEntries(Object.entries(counters(dev)).filter(([k]) => /^out(Pkts(Protected|Encrypted)|Octets)/.test(k))),
    txSas: sas(dev.sa_list).map((s) => ({ an: s.an, inUse: s.active, nextPn: s.pn ?? s.xpn, ...counters(s) })),
    rxScs: sas(dev.rx_sc).map((sc) => ({ sci: sciHex(sc.sci), ...counters(sc), sas: sas(sc.sa_list).map((s) => ({ an: s.an, inUse: s.active, nextPn: s.pn ?? s.xpn, ...counters(s) })) })),
  };
}

export interface GuestPortContext {
  name: string;
  wire: string;
  taps: Array<{ name: string; vlan?: number; mtu: number }>;
  mode: string | null;
  /** 'staticSas': the guest's macsec0 has static SAs (no wpa_supplicant). */
  keying?: 'mka' | 'staticSas';
}

/**
 * One port's `status` answer from STATUS_LINE's output: the fields our
 * MacsecPort.status() has where the guest knows them (mode, secured, sci,
 * controlledPort, encodingAn, cipherSuite, kay with mode, secured,
 * controlledPort, notSecured, keyChain, participants), plus `secy` (the
 * counters) and `wpaSupplicant` (its own words, unchanged).
 */
export function guestPortStatus(output: string, ctx: GuestPortContext): Record<string, unknown> & { secy: Record<string, unknown> | null } {
  const [ipPart, wpaPart = ''] = output.split(STATUS_SEPARATOR);
  const dev = parseMacsecDevice(ipPart ?? '');
  const wpa = parseKeyValues(wpaPart);
  const running = wpa['PAE KaY status'] !== undefined;
  const txInUse = dev ? (Array.isArray(dev.sa_list) ? (dev.sa_list as Json[]) : []).some((s) => s.active === true && s.an === dev.encoding_sa) : false;
  // Static SAs (`ip macsec`, no wpa_supplicant): secured once the transmit SA is in use, as our StaticKeying is.
  const staticKeying = ctx.keying === 'staticSas';
  const secured = staticKeying ? txInUse : wpa.Secured === 'Yes' && txInUse;
  const livePeers = Number(wpa.live_peers ?? 0);
  const peers = parseMibPeers(wpaPart);
  // wpa_cli's "Is Key Server" is the KaY's flag, "is_key_server" and "is_elected" the participant's: before an
  // election (no live peer) it calls itself key server but not elected; key_server_sci names the one elected.
  const isKeyServer = livePeers > 0 && ((wpa.is_key_server === 'Yes' && wpa.is_elected === 'Yes') || (!!wpa.actor_sci && wpa.key_server_sci === wpa.actor_sci));
  const keyServerSci = wpa.key_server_sci && !/^00:00:00:00:00:00/.test(wpa.key_server_sci) ? sciText(wpa.key_server_sci) : undefined;
  const mode = ctx.mode ?? 'no_encrypt';
  const controlledPort = mode === 'no_encrypt' ? 'clear' : secured ? 'secured' : 'blocked';
  const notSecured = secured
    ? undefined
    : mode === 'no_encrypt'
      ? { code: 'mkaDisabled', reason: 'no_encrypt: the guest runs no wpa_supplicant, its addresses are on its NIC' }
      : staticKeying
        ? { code: 'notStarted', reason: "static SAs: no transmit SA in use on the guest's macsec0" }
        : !running
        ? { code: 'notStarted', reason: 'wpa_supplicant is not running in the guest' }
        : livePeers === 0
          ? { code: Number(wpa.potential_peers ?? 0) > 0 ? 'peerNotLive' : 'noPeerHeard', reason: `wpa_supplicant: ${wpa.live_peers ?? 0} live, ${wpa.potential_peers ?? 0} potential peers` }
          : { code: 'negotiating', reason: `wpa_supplicant: ${livePeers} live peer(s), Secured=${wpa.Secured ?? '?'}` };
  // The kernel writes the suite as our SecY names it (GCM-AES-128).
  const cipherSuite = typeof dev?.cipher_suite === 'string' ? dev.cipher_suite : null;
  return {
    name: ctx.name,
    kind: 'macsec',
    wire: ctx.wire,
    taps: ctx.taps.map((t) => ({ name: t.name, vlan: t.vlan ?? null, mtu: t.mtu })),
    mode,
    secured,
    sci: sciHex(dev?.sci),
    controlledPort,
    encodingAn: dev && txInUse ? (dev.encoding_sa as number) : null,
    cipherSuite,
    kay: {
      mode,
      secured,
      controlledPort,
      cpState: secured ? 'SECURED' : 'INIT',
      ...(notSecured ? { notSecured } : {}),
      keyChain: staticKeying ? { reason: 'static SAs: no MKA, no key chain' } : { ...(wpa.ckn ? { inUse: wpa.ckn } : {}), reason: 'wpa_supplicant holds one CKN/CAK (the chain\'s first pair)' },
      participants: wpa.ckn
        ? [
            {
              ckn: wpa.ckn,
              keyChainIndex: 0,
              principal: true,
              mi: wpa.mi ?? '',
              mn: Number(wpa.mn ?? 0),
              livePeers: peers.live,
              potentialPeers: peers.potential,
              ...(isKeyServer ? { keyServer: { sci: sciText(wpa.actor_sci ?? ''), mi: wpa.mi ?? '', self: true } } : keyServerSci ? { keyServer: { sci: keyServerSci, mi: peers.live.find((x) => x.sci === keyServerSci)?.mi ?? '', self: false } } : {}),
            },
          ]
        : [],
      counters: {},
    },
    ...(staticKeying ? { keying: 'staticSas' } : {}),
    secy: dev ? secyCounters(dev) : null,
    ...(running ? { wpaSupplicant: wpa } : {}),
  };
}

/**
 * BGP sessions as our `bgp` answer has them (src/node/bgp BgpPeerStatus),
 * from `birdc show protocols all` read by the parser our own BIRD speaker
 * uses (src/node/bgp/bird.ts), the guest's protocols being vif0, vif1, ...
 * in the order of its configuration (guest-config.ts birdConf).
 */
export function parseBirdProtocols(text: string, sessions: GuestBgpSession[], tap: string): BgpPeerStatus[] {
  return sessions.map((s, i) => {
    const info = parseBirdProtocol(text, `vif${i}`);
    return birdPeerStatus(tap, s, info, { uptimeS: null, passive: false, lastError: info?.lastError ?? null });
  });
}
