/**
 * Capture files through what `dxlab pcap inspect` and `pcap decrypt` do with
 * them: the pcap/pcapng parser, each frame's SecTAG summary, and decryption
 * with the capture's SAs. Seeds: the real captures (Linux kernel MACsec,
 * wpa_supplicant MKA) and the Annex C samples, each also as pcapng written by
 * the project's writer. The outcome is `read` or the IoError code the file
 * was refused with, which names the block and offset.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IoError, LINKTYPE_ETHERNET, parseCapture, serializePcap, serializePcapng } from '../../../src/io/index.js';
import { readCaptureFile } from '../../../src/io/pcap.js';
import { cipherSuiteByName } from '../../../src/macsec/index.js';
import { decryptFrames, describeCleartext, summarizeSecTag, type OfflineSa } from '../../../src/offline/index.js';
import { fromHex } from '../../../src/shared/bytes.js';
import { ROOT } from '../../helpers/cli.js';
import { captureKeys, capturePath, captureSas } from '../../helpers/captures.js';
import type { FuzzTarget } from '../target.js';
import { mutateOctets } from '../mutators.js';

const SAMPLES = join(ROOT, 'pcaps', 'samples');
const KERNEL = 'static-gcm-aes-256.pcap';

/** The kernel capture's SAs, as `pcap decrypt --sa` gives them. */
function kernelSas(): OfflineSa[] {
  const suite = cipherSuiteByName(captureKeys(KERNEL).cipher_suite);
  return captureSas(KERNEL).map((s) => ({ sci: s.sci, an: s.an, suite, sak: fromHex(s.sak), firstPn: s.firstPn, origin: 'keys.json' }));
}

function seedFiles(): Uint8Array[] {
  const files = [...['mka-cak256.pcap', KERNEL, 'static-gcm-aes-xpn-256.pcap'].map(capturePath), ...readdirSync(SAMPLES).filter((f) => f.endsWith('.pcap')).map((f) => join(SAMPLES, f))];
  return files.flatMap((f) => {
    const cap = readCaptureFile(f);
    // Short files keep the mutations near the headers and blocks, where the parser decides.
    const few = { ...cap, frames: cap.frames.slice(0, 6) };
    return [serializePcap(few.frames, { linkType: LINKTYPE_ETHERNET }), serializePcapng(few)];
  });
}

/** pcap: the record lengths of the first record (octets 32-35 little-endian); pcapng: the first block's length. */
const LENGTH_FIELDS = [8, 34, 24 + 8];

export const pcapTarget: FuzzTarget = {
  name: 'pcap',
  about: 'pcap and pcapng files through the parser, the SecTAG summary of pcap inspect and pcap decrypt',
  seeds: seedFiles,
  mutate: (seed, rand) => mutateOctets(seed, rand, LENGTH_FIELDS),
  setup() {
    const sas = kernelSas();
    return {
      feed(input) {
        let cap;
        try {
          cap = parseCapture(input);
        } catch (e) {
          if (e instanceof IoError) return `refused ${e.code}`;
          throw e;
        }
        for (const f of cap.frames) {
          const s = summarizeSecTag(f.data);
          if ('malformed' in s) describeCleartext(f.data);
        }
        decryptFrames(cap.frames, sas);
        return 'read';
      },
    };
  },
};
