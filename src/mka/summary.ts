/**
 * One-line description of a decoded MKPDU for `dxlab pcap inspect`: sender
 * SCI, MI/MN, priority and flags, peer lists, SAK Use (KN/AN and tx/rx bits
 * of both slots), Distributed SAK (AN, KN, offset, suite), XPN, ICV
 * Indicator and unknown sets. Never prints key material (wrapped keys are
 * shown by length only).
 *
 * @example
 * summariseMkpdu(decodeMkpdu(frame))
 * // 'MKA v1 SCI 52:54:00:99:00:02/1 MI a0c9…70e3 MN 2 prio 16 KS desired cap2 | live da62…5b15/1 | DistSAK AN0 KN1 CO1 GCM-AES-128'
 */
import { toHex } from '../shared/bytes.js';
import { cipherSuiteById, cipherSuiteIdString, sciToString } from '../macsec/index.js';
import { parameterSetName, type Mkpdu, type PeerListEntry, type SakUseKey } from './mkpdu/index.js';
import { announcedCipherSuites } from './mkpdu/announcement.js';

function peers(list: PeerListEntry[]): string {
  return list.map((p) => `${toHex(p.mi)}/${p.mn}`).join(',');
}

function keySlot(name: string, k: SakUseKey | undefined, an: number, tx: boolean, rx: boolean): string {
  const empty = !k || (k.kn === 0 && k.mi.every((x) => x === 0));
  const bits = [tx ? 'tx' : '', rx ? 'rx' : ''].filter(Boolean).join('+') || '-';
  return empty ? `${name} none` : `${name} KN${k.kn} AN${an} ${bits} LPN ${k.lowestPn}`;
}

/** Describes `m` on one line (no newline), fields separated by ' | '. */
export function summariseMkpdu(m: Mkpdu): string {
  const b = m.basic;
  const flags = [b.keyServer ? 'KS' : '', b.macsecDesired ? 'desired' : '', `cap${b.macsecCapability}`].filter(Boolean).join(' ');
  const parts = [`MKA v${b.version} SCI ${sciToString(b.sci)} MI ${toHex(b.mi)} MN ${b.mn} prio ${b.keyServerPriority} ${flags} CKN ${toHex(b.ckn).slice(0, 8)}…(${b.ckn.length})`];
  for (const s of m.parameterSets) {
    if ('unknown' in s) {
      parts.push(`${parameterSetName(s.type)} (${s.body.length} octets)`);
      continue;
    }
    switch (s.type) {
      case 1:
        parts.push(`live ${peers(s.peers)}${s.keyServerSsci ? ` ksSSCI ${s.keyServerSsci}` : ''}`);
        break;
      case 2:
        parts.push(`potential ${peers(s.peers)}`);
        break;
      case 3: {
        const plain = [s.plainTx ? 'plainTx' : '', s.plainRx ? 'plainRx' : '', s.delayProtect ? 'delayProtect' : ''].filter(Boolean).join(' ');
        if (!s.keys) parts.push(`SAKUse not in use${plain ? ` ${plain}` : ''}`);
        else
          parts.push(
            `SAKUse ${keySlot('latest', s.keys.latestKey, s.latestKeyAn, s.latestKeyTx, s.latestKeyRx)}, ${keySlot('old', s.keys.oldKey, s.oldKeyAn, s.oldKeyTx, s.oldKeyRx)}${plain ? ` ${plain}` : ''}`,
          );
        break;
      }
      case 4:
        if (!s.key) parts.push(`DistSAK AN${s.distributedAn} none (no MACsec)`);
        else {
          const id = s.key.cipherSuite;
          const suite = id === undefined ? 'GCM-AES-128' : (cipherSuiteById(id)?.name ?? cipherSuiteIdString(id));
          parts.push(`DistSAK AN${s.distributedAn} KN${s.key.kn} CO${s.confidentialityOffset} ${suite} wrapped ${s.key.wrappedSak.length} octets`);
        }
        break;
      case 5:
        parts.push(`DistCAK CKN ${toHex(s.ckn).slice(0, 8)}…(${s.ckn.length})`);
        break;
      case 6:
        parts.push(`KMD ${s.kmd.length} octets`);
        break;
      case 7: {
        let suites = '';
        try {
          suites = announcedCipherSuites(s)
            .map((c) => cipherSuiteById(c.cipherSuite)?.name ?? cipherSuiteIdString(c.cipherSuite))
            .join(',');
        } catch {
          suites = 'malformed cipher suites TLV';
        }
        parts.push(`Announcement ${s.tlvs.length} TLVs${suites ? ` suites ${suites}` : ''}`);
        break;
      }
      case 8:
        parts.push(`XPN latestHigh ${s.latestKeyLowestPnHigh} oldHigh ${s.oldKeyLowestPnHigh}${s.suspensionTime ? ` suspension ${s.suspensionTime}` : ''}`);
        break;
      case 255:
        parts.push('ICV Indicator');
        break;
    }
  }
  return parts.join(' | ');
}
