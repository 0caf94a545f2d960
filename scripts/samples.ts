/**
 * Builds the sample captures in pcaps/samples/ from the 802.1AE Annex C test
 * frames, protected by dxlab's own SecY (the SAs and PNs of each case), each
 * with its dxlab key file. `npm run samples` rewrites them; the unit test
 * test/unit/samples.test.ts checks that the committed files are what this
 * code makes.
 */
import { ANNEX_C, ANNEX_C_XPN, XPN_SALT, XPN_SSCI } from '../test/vectors/macsec/annex-c.js';
import { LINKTYPE_ETHERNET, serializePcap, type CapturedFrame } from '../src/io/pcap.js';
import { SecY, TCI_E, TCI_ES, TCI_SC, cipherSuiteByName, sciFromHex, sciToHex } from '../src/macsec/index.js';
import { fromHex } from '../src/shared/bytes.js';
import { serializeKeyFile, type KeyFile, type KeyFileSak } from '../src/shared/key-file.js';

export interface Sample {
  name: string;
  pcap: Uint8Array;
  keys: string;
}

const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z

function frameAt(i: number, data: Uint8Array): CapturedFrame {
  return { timeNs: T0 + BigInt(i) * 1_000_000n, data, origLength: data.length, interfaceId: 0 };
}

interface Case {
  original: Uint8Array;
  tci: number;
  sci: string;
  key: string;
  pn: bigint;
  ssci?: number;
  salt?: string;
}

function build(suiteName: string, cases: Case[]): Sample {
  const suite = cipherSuiteByName(suiteName);
  const frames: CapturedFrame[] = [];
  const saks = new Map<string, KeyFileSak>();
  cases.forEach((c, i) => {
    const an = c.tci & 3;
    const secy = new SecY({
      txSci: sciFromHex(c.sci),
      cipherSuite: suite,
      includeSci: (c.tci & TCI_SC) !== 0,
      es: (c.tci & TCI_ES) !== 0,
      confidentiality: (c.tci & TCI_E) !== 0,
    });
    secy.createTxSa({ an, sak: fromHex(c.key), nextPn: c.pn, ssci: c.ssci, salt: c.salt ? fromHex(c.salt) : undefined });
    secy.enableTxSa(an);
    const r = secy.protect(c.original);
    if (!r.ok) throw new Error(`sample frame ${i} not protected: ${r.reason}`);
    frames.push(frameAt(i, r.frame));
    const id = `${c.sci}/${an}`;
    // Annex C protects two frames with each SA; the earlier PN is the reference for XPN recovery.
    const prev = saks.get(id);
    if (!prev || BigInt(prev.firstPn!) > c.pn) {
      saks.set(id, { sci: sciToHex(sciFromHex(c.sci)), an, suite: suite.cliName, sak: c.key, ...(c.ssci !== undefined ? { ssci: c.ssci, salt: c.salt } : {}), firstPn: c.pn.toString() });
    }
  });
  const keys: KeyFile = { version: 1, cas: [], saks: [...saks.values()] };
  return { name: `annex-c-${suite.cliName}`, pcap: serializePcap(frames, { linkType: LINKTYPE_ETHERNET }), keys: serializeKeyFile(keys) };
}

function sciOf(hexProtected: string, tci: number): string {
  // With SC = 0 the SC is named by the implicit SCI: source address ‖ 0001.
  return tci & TCI_SC ? hexProtected.slice(40, 56) : hexProtected.slice(12, 24) + '0001';
}

/** ARP and ping between a customer router and a DX device on a VIF's /30, as built by {@link pingSample}. */
function ipv4Checksum(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function arp(op: 1 | 2, smac: Uint8Array, sip: readonly number[], dmac: Uint8Array, tip: readonly number[]): Uint8Array {
  const f = new Uint8Array(42);
  f.set(op === 1 ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] : dmac, 0);
  f.set(smac, 6);
  f.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, op], 12);
  f.set(smac, 22);
  f.set(sip, 28);
  f.set(op === 1 ? [0, 0, 0, 0, 0, 0] : dmac, 32);
  f.set(tip, 38);
  return f;
}

function ping(type: 8 | 0, smac: Uint8Array, sip: readonly number[], dmac: Uint8Array, dip: readonly number[], seq: number): Uint8Array {
  const payload = 56;
  const f = new Uint8Array(14 + 20 + 8 + payload);
  f.set(dmac, 0);
  f.set(smac, 6);
  f.set([0x08, 0x00], 12);
  const ip = 14;
  f.set([0x45, 0, 0, 20 + 8 + payload, (seq >> 8) & 0xff, seq & 0xff, 0x40, 0, 64, 1, 0, 0], ip);
  f.set(sip, ip + 12);
  f.set(dip, ip + 16);
  const ck = ipv4Checksum(f, ip, ip + 20);
  f[ip + 10] = ck >> 8;
  f[ip + 11] = ck & 0xff;
  const icmp = ip + 20;
  f.set([type, 0, 0, 0, 0x12, 0x34, 0, seq], icmp);
  for (let i = 0; i < payload; i++) f[icmp + 8 + i] = 0x10 + i;
  const ic = ipv4Checksum(f, icmp, f.length);
  f[icmp + 2] = ic >> 8;
  f[icmp + 3] = ic & 0xff;
  return f;
}

/**
 * ARP and three pings between a customer router (169.254.100.1) and a DX
 * device (169.254.100.2) in GCM-AES-XPN-256, the suite AWS prefers, with PNs
 * starting just below 2^32 so that the 32-bit PN on the wire wraps.
 */
function pingSample(): Sample {
  const suite = cipherSuiteByName('gcm-aes-xpn-256');
  const ends = [
    { mac: fromHex('020000000101'), ip: [169, 254, 100, 1], sci: '0200000001010001', ssci: 1, sak: 'a1'.repeat(16) + 'b2'.repeat(16) },
    { mac: fromHex('020000000201'), ip: [169, 254, 100, 2], sci: '0200000002010001', ssci: 2, sak: 'c3'.repeat(16) + 'd4'.repeat(16) },
  ] as const;
  const salt = '5a17' + '00112233445566778899';
  const firstPn = 0xfffffffen;
  const secys = ends.map((e) => {
    const s = new SecY({ txSci: sciFromHex(e.sci), cipherSuite: suite });
    s.createTxSa({ an: 0, sak: fromHex(e.sak), nextPn: firstPn, ssci: e.ssci, salt: fromHex(salt) });
    s.enableTxSa(0);
    return s;
  });
  const [r, d] = ends;
  const clear: Array<[number, Uint8Array]> = [
    [0, arp(1, r.mac, r.ip, d.mac, d.ip)],
    [1, arp(2, d.mac, d.ip, r.mac, r.ip)],
  ];
  for (let seq = 1; seq <= 3; seq++) {
    clear.push([0, ping(8, r.mac, r.ip, d.mac, d.ip, seq)]);
    clear.push([1, ping(0, d.mac, d.ip, r.mac, r.ip, seq)]);
  }
  const frames = clear.map(([who, f], i) => {
    const p = secys[who]!.protect(f);
    if (!p.ok) throw new Error(p.reason);
    return frameAt(i, p.frame);
  });
  const keys: KeyFile = {
    version: 1,
    cas: [],
    saks: ends.map((e) => ({ sci: e.sci, an: 0, suite: suite.cliName, sak: e.sak, ssci: e.ssci, salt, firstPn: firstPn.toString() })),
  };
  return { name: 'vif-ping-gcm-aes-xpn-256', pcap: serializePcap(frames, { linkType: LINKTYPE_ETHERNET }), keys: serializeKeyFile(keys) };
}

export function makeSamples(): Sample[] {
  const out: Sample[] = [pingSample()];
  for (const bits of ['128', '256']) {
    const cases = ANNEX_C.filter((v) => v.suite === `gcm-aes-${bits}`).map((v) => {
      const tci = parseInt(v.tci, 16);
      return { original: fromHex(v.original), tci, sci: sciOf(v.protected, tci), key: v.key, pn: BigInt('0x' + v.pn) };
    });
    out.push(build(`gcm-aes-${bits}`, cases));
  }
  for (const bits of ['128', '256']) {
    const cases = ANNEX_C_XPN.filter((v) => v.suite === `gcm-aes-xpn-${bits}`).map((v) => {
      const base = ANNEX_C.find((c) => c.name.startsWith(v.name.slice(0, 3) + ' '))!;
      const tci = parseInt(v.protected.slice(28, 30), 16);
      return { original: fromHex(base.original), tci, sci: sciOf(v.protected, tci), key: v.key, pn: BigInt('0x' + v.pn64), ssci: XPN_SSCI, salt: XPN_SALT };
    });
    out.push(build(`gcm-aes-xpn-${bits}`, cases));
  }
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync('pcaps/samples', { recursive: true });
  for (const s of makeSamples()) {
    writeFileSync(`pcaps/samples/${s.name}.pcap`, s.pcap);
    writeFileSync(`pcaps/samples/${s.name}.keys.json`, s.keys);
    console.log(`pcaps/samples/${s.name}.pcap and .keys.json`);
  }
}
