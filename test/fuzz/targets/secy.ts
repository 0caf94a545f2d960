/**
 * Frames through the SecY's receive path (802.1AE-2018 10.6): every suite,
 * every validateFrames mode, seeds protected by a SecY of the same suite and
 * the Linux kernel's own frames from the static captures with their SAs.
 * The input's first octet picks the receiving SecY; each frame moves
 * exactly one receive packet counter, and its verdict is the outcome.
 */
import { CIPHER_SUITES, SecY, cipherSuiteByName, sciFromHex } from '../../../src/macsec/index.js';
import { fromHex } from '../../../src/shared/bytes.js';
import { readCaptureFile } from '../../../src/io/pcap.js';
import { ethFrame, pair, rxPacketTotal } from '../../helpers/secy.js';
import { captureKeys, capturePath, captureSas } from '../../helpers/captures.js';
import { Miscount, type FuzzTarget } from '../target.js';
import { mutateOctets } from '../mutators.js';

const MODES = ['strict', 'check', 'disabled'] as const;
const CAPTURES = ['static-gcm-aes-256.pcap', 'static-gcm-aes-xpn-256.pcap'];

interface Receiver {
  rx: SecY;
  seeds: Uint8Array[];
}

/** The receivers, in a fixed order (the selector octet indexes them). */
function receivers(): Receiver[] {
  const out: Receiver[] = [];
  for (const suite of CIPHER_SUITES) {
    for (const mode of MODES) {
      const { tx, rx } = pair({ suite, rx: { validateFrames: mode, replayWindow: 16 } });
      const seeds: Uint8Array[] = [ethFrame(60, 0x888e)];
      for (const len of [0, 6, 28, 46, 100, 1500]) {
        for (const confidentiality of [true, false]) {
          tx.configure({ confidentiality });
          const p = tx.protect(ethFrame(len));
          if (p.ok) seeds.push(p.frame);
        }
      }
      out.push({ rx, seeds });
    }
  }
  for (const file of CAPTURES) {
    const suite = cipherSuiteByName(captureKeys(file).cipher_suite);
    const rx = new SecY({ txSci: sciFromHex('0000000000000001'), cipherSuite: suite, replayProtect: true, replayWindow: 64 });
    for (const sa of captureSas(file)) {
      rx.createRxSc(sa.sci);
      rx.createRxSa(sa.sci, { an: sa.an, sak: fromHex(sa.sak), lowestPn: sa.firstPn, ...(sa.ssci !== undefined ? { ssci: sa.ssci, salt: fromHex(sa.salt!) } : {}) });
      rx.enableRxSa(sa.sci, sa.an);
    }
    out.push({ rx, seeds: readCaptureFile(capturePath(file)).frames.map((f) => f.data).slice(0, 40) });
  }
  return out;
}

const withSelector = (i: number, f: Uint8Array) => Uint8Array.of(i, ...f);

export const secyTarget: FuzzTarget = {
  name: 'secy',
  about: 'frames through the SecY receive path, every suite and validateFrames mode, and the kernel captures',
  seeds: () => receivers().flatMap((r, i) => r.seeds.map((f) => withSelector(i, f))),
  // The selector stays; the SecTAG's short length (octet 15 of the frame) is a length worth pushing to its limits.
  mutate: (seed, rand) => withSelector(seed[0]!, mutateOctets(seed.subarray(1), rand)),
  setup() {
    const rs = receivers();
    return {
      feed(input) {
        const r = rs[input[0]! % rs.length]!;
        const before = rxPacketTotal(r.rx.snapshot());
        const v = r.rx.validate(input.subarray(1));
        const moved = rxPacketTotal(r.rx.snapshot()) - before;
        if (moved !== 1) throw new Miscount(`verdict ${v.verdict} moved ${moved} packet counters`);
        return v.verdict;
      },
    };
  },
};
