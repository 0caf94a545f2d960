/**
 * MKA figures for `npm run bench`: MKPDU encode+ICV and decode+verify rates,
 * and the simulated time from two KaYs starting to both secured (default and
 * fast profile). The time is simulated (1 ms steps, 1 ms wire latency), so it
 * shows the protocol's own timing, not this machine's speed.
 */
import { performance } from 'node:perf_hooks';
import { decodeMkpdu, deriveIck, encodeMkpdu, verifyMkpduIcv, MKA_FAST_HELLO_TIME_MS, MKA_FAST_LIFE_TIME_MS } from '../src/mka/index.js';
import { readCaptureFile } from '../src/io/pcap.js';
import { fromHex } from '../src/shared/bytes.js';
import { sciFromHex } from '../src/macsec/index.js';
import { KaySession } from '../test/helpers/kay-session.js';

function perSecond(fn: () => void, ms = 500): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return n / ((performance.now() - t0) / 1000);
}

function timeToSecured(helloTimeMs?: number, lifeTimeMs?: number): number {
  const ckn = fromHex('11'.repeat(32));
  const cak = fromHex('22'.repeat(32));
  const base = { keyChain: [{ ckn, cak }], helloTimeMs, lifeTimeMs };
  const s = new KaySession([
    { ...base, sci: sciFromHex('0200000000010001'), keyServerPriority: 16 },
    { ...base, sci: sciFromHex('0200000000020001'), keyServerPriority: 32 },
  ]);
  while (s.now < 60_000) {
    s.advance(1);
    if (s.nodes.every((n) => n.kay.status().secured && n.secy.encodingSa !== undefined)) return s.now;
  }
  return NaN;
}

export async function mkaBench(): Promise<{ lines: string[]; mkpduEncodePerS: number; mkpduVerifyPerS: number; secureMs: { default: number; fast: number } }> {
  const frames = readCaptureFile(new URL('../test/vectors/captures/mka-cak256.pcap', import.meta.url).pathname).frames.filter((f) => f.data[12] === 0x88);
  // An MKPDU with Live Peer List, SAK Use and Distributed SAK (frame 4 of the capture).
  const frame = frames[3]!.data;
  const ick = deriveIck(fromHex('cab15433c5473029139441e13a580a1436ae1dc5e1c37daea9403e8be0dab703'), fromHex('63cf1269bfe5fe9e6e8b9fdc06405387057c9bab62262ddf84fe5c14de4e80c4'));
  const decoded = decodeMkpdu(frame);
  const encodePerS = perSecond(() => encodeMkpdu(decoded, ick));
  const verifyPerS = perSecond(() => {
    decodeMkpdu(frame);
    if (!verifyMkpduIcv(frame, ick)) throw new Error('ICV');
  });
  const secureMs = { default: timeToSecured(), fast: timeToSecured(MKA_FAST_HELLO_TIME_MS, MKA_FAST_LIFE_TIME_MS) };
  return {
    mkpduEncodePerS: Math.round(encodePerS),
    mkpduVerifyPerS: Math.round(verifyPerS),
    secureMs,
    lines: [
      '',
      `MKA (AES-CMAC-256 ICV, an MKPDU of ${frame.length} octets with Live Peer List, SAK Use and Distributed SAK, from the wpa_supplicant capture)`,
      `MKPDUs encoded with their ICV: ${Math.round(encodePerS)} per second`,
      `MKPDUs decoded and verified:   ${Math.round(verifyPerS)} per second`,
      `simulated time from two KaYs starting to both secured: ${secureMs.default} ms (hello 2 s, life 6 s), ${secureMs.fast} ms (fast profile: hello 0.5 s, life 1.5 s)`,
    ],
  };
}
