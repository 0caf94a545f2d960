/**
 * MKPDUs through the KaY (802.1X-2020 11.11, 12): seeds are wpa_supplicant's
 * MKPDUs from the mka-cak256 capture and MKPDUs two KaYs sent while securing
 * and rekeying. The input's first octet says whether the mutation is
 * re-sealed with the right ICK (1), so that it passes the ICV and reaches
 * the participant's parameter-set decoders, or goes in as mutated (0), when
 * it meets the ICV and header checks. Every MKPDU counts in inMkpdu and in
 * at most one error counter; the outcome is that counter, or `accepted`.
 */
import { readCaptureFile } from '../../../src/io/pcap.js';
import { KaY, deriveIck, mkpduIcv, mkpduLayout, type KayCounters } from '../../../src/mka/index.js';
import { MkaLab } from '../../helpers/mka-lab.js';
import { seededOctets } from '../../helpers/random.js';
import { capturePath } from '../../helpers/captures.js';
import { CAK, CKN, SCI_DX, SCI_RT, cfg } from '../../unit/mka/fixtures.js';
import { Miscount, type FuzzTarget } from '../target.js';
import { mutateOctets } from '../mutators.js';

export const MKPDU_ERROR_COUNTERS: ReadonlyArray<keyof KayCounters> = [
  'inMkpduIcvVerificationErrors',
  'inMkpduValidationErrors',
  'inMkpduBadPeerErrors',
  'inMkpduPeerListErrors',
  'sakGenerationErrors',
  'sakHashErrors',
  'sakEncryptionErrors',
  'sakDecryptionErrors',
  'sakCipherMismatchErrors',
  'unrecognizedCkn',
];

/** MKPDUs of a real peer (wpa_supplicant, mka-cak256.pcap) and of two KaYs securing and rekeying on an injected clock. */
export function mkpduSeeds(): Uint8Array[] {
  const out = readCaptureFile(capturePath('mka-cak256.pcap'))
    .frames.filter((f) => f.data[12] === 0x88 && f.data[13] === 0x8e)
    .map((f) => f.data);
  const lab = new MkaLab();
  lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, pnExhaustionThreshold: 200n }), 1);
  lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32, pnExhaustionThreshold: 200n }), 2);
  lab.start('dx');
  lab.start('rt');
  lab.trafficEveryMs = 20;
  lab.advance(12_000);
  for (const n of lab.nodes) out.push(...n.mkpdusSent.map((x) => x.frame));
  return out;
}

/** EAPOL body length (octets 16-17) and the Basic Parameter Set's length field (octets 20-21 of the frame). */
const LENGTH_FIELDS = [16, 20];

export const kayTarget: FuzzTarget = {
  name: 'kay',
  about: 'MKPDUs through the KaY, mutated as they are or re-sealed with the ICK to reach the parameter-set decoders',
  seeds: () => mkpduSeeds().flatMap((f) => [Uint8Array.of(0, ...f), Uint8Array.of(1, ...f)]),
  mutate: (seed, rand) => Uint8Array.of(seed[0]! & 1, ...mutateOctets(seed.subarray(1), rand, LENGTH_FIELDS)),
  setup() {
    const ick = deriveIck(CAK, CKN);
    const kay = new KaY(cfg(0x0200000000090001n), { random: seededOctets(77) });
    kay.start(0);
    let now = 1;
    // Learn the seeds' peers first, so that mutations also meet known MIs.
    for (const f of mkpduSeeds()) kay.receive(now, f);
    let fed = 0;
    return {
      feed(input) {
        const frame = input.slice(1);
        if (input[0] === 1) {
          try {
            const { icvOffset } = mkpduLayout(frame);
            if (icvOffset + 16 <= frame.length) frame.set(mkpduIcv(ick, frame.subarray(0, icvOffset)), icvOffset);
          } catch {
            // not even an MKPDU header: it goes in as it is
          }
        }
        const before = { ...kay.counters };
        kay.receive((now += 1), frame);
        if (++fed % 100 === 0) kay.tick(now);
        if (kay.counters.inMkpdu !== before.inMkpdu + 1) throw new Miscount(`inMkpdu moved ${kay.counters.inMkpdu - before.inMkpdu}`);
        const moved = MKPDU_ERROR_COUNTERS.filter((k) => kay.counters[k] !== before[k]);
        if (moved.length > 1 || moved.some((k) => kay.counters[k] !== before[k] + 1)) throw new Miscount(`error counters moved: ${moved.join(', ')}`);
        return moved[0] ?? 'accepted';
      },
    };
  },
};
