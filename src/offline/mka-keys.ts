/**
 * SAKs learnt from the MKPDUs of a capture, as Wireshark's MKA key table does:
 * derive ICK and KEK from each CKN/CAK, verify each MKPDU, unwrap each
 * Distributed SAK, and hand the SAs to offline decryption.
 */
import { bytesEqual, fromHex, toHex } from '../shared/bytes.js';
import type { Secret } from '../shared/secret.js';
import { GCM_AES_128, cipherSuiteById, sciToHex, type Sci } from '../macsec/index.js';
import {
  MkaError,
  assignSscis,
  decodeMkpdu,
  deriveIck,
  deriveKek,
  parameterSetName,
  summariseMkpdu,
  unwrapSak,
  verifyMkpduIcv,
  xpnSalt,
  type Mkpdu,
} from '../mka/index.js';
import type { MkpduHook } from './decrypt.js';
import type { OfflineSa } from './sa.js';

/** A CKN/CAK pair (lower-case hex) and where it came from, for messages. */
export interface CaArg {
  ckn: string;
  cak: string;
  origin: string;
}

export interface MkaKeySource {
  hook: MkpduHook | undefined;
  /** MKPDUs whose ICV verified with none of the CAKs. */
  icvErrors(): number;
  /** Checks one MKPDU's ICV: true, false, or undefined when no CAK has its CKN. */
  verify(frame: Uint8Array): boolean | undefined;
}

interface Ca {
  ckn: Uint8Array;
  ick: Secret;
  kek: Secret;
}

/**
 * A key source for offline decryption from CKN/CAK pairs. Each Distributed
 * SAK found in an MKPDU whose ICV verifies becomes an SA for every SC from
 * the time of that MKPDU; for the XPN suites one SA per SC, with the SSCI and
 * salt the KaY would give it (src/mka key-server.ts: SSCIs by SCI order of
 * the live members, salt from the key server's MI and the KN).
 */
export function mkaKeySource(cas: CaArg[]): MkaKeySource {
  const keys: Ca[] = cas.map((c) => {
    const ckn = fromHex(c.ckn);
    const cak = fromHex(c.cak);
    return { ckn, ick: deriveIck(cak, ckn), kek: deriveKek(cak, ckn) };
  });
  let icvErrors = 0;
  // Members heard per CKN, for XPN SSCIs; KIs already turned into SAs.
  const members = new Map<string, Set<Sci>>();
  const seen = new Set<string>();

  const caFor = (m: Mkpdu) => keys.find((k) => bytesEqual(k.ckn, m.basic.ckn));

  const verify = (frame: Uint8Array): boolean | undefined => {
    let m: Mkpdu;
    try {
      m = decodeMkpdu(frame);
    } catch {
      return undefined;
    }
    const ca = caFor(m);
    return ca ? verifyMkpduIcv(frame, ca.ick) : undefined;
  };

  const hook: MkpduHook = (frame, timeNs) => {
    let m: Mkpdu;
    const none = { saks: 0, sas: [] };
    try {
      m = decodeMkpdu(frame);
    } catch {
      return none;
    }
    const ca = caFor(m);
    if (!ca) return none;
    if (!verifyMkpduIcv(frame, ca.ick)) {
      icvErrors++;
      return none;
    }
    const cknHex = toHex(m.basic.ckn);
    const heard = members.get(cknHex) ?? new Set<Sci>();
    members.set(cknHex, heard);
    heard.add(m.basic.sci);
    const out: OfflineSa[] = [];
    let saks = 0;
    for (const set of m.parameterSets) {
      if (set.type !== 4 || !('distributedAn' in set) || !set.key) continue;
      const ki = `${toHex(m.basic.mi)}/${set.key.kn}`;
      if (seen.has(ki)) continue;
      const suite = set.key.cipherSuite === undefined ? GCM_AES_128 : cipherSuiteById(set.key.cipherSuite);
      if (!suite) continue;
      let sak: Uint8Array;
      try {
        sak = unwrapSak(ca.kek, set.key.wrappedSak).expose().slice();
      } catch {
        continue;
      }
      seen.add(ki);
      saks++;
      const base = { an: set.distributedAn, suite, sak, kn: set.key.kn, firstPn: 1n, fromNs: timeNs, origin: `MKPDU KN ${set.key.kn}` };
      if (!suite.xpn) {
        out.push(base);
        continue;
      }
      // The live members: the key server and the peers in its Live Peer List we have heard.
      const salt = xpnSalt(m.basic.mi, set.key.kn);
      const sscis = assignSscis([...heard]);
      for (const [sci, ssci] of sscis) out.push({ ...base, sci, ssci, salt });
    }
    return { saks, sas: out };
  };

  return { hook: keys.length ? hook : undefined, icvErrors: () => icvErrors, verify };
}

/** A one-line description of an MKPDU, with its ICV checked when a CAK has its CKN. */
export function describeMkpdu(frame: Uint8Array, keys: MkaKeySource): { text: string; json: Record<string, unknown> } {
  let m: Mkpdu;
  try {
    m = decodeMkpdu(frame);
  } catch (e) {
    const reason = e instanceof MkaError ? e.message : String(e);
    return { text: `EAPOL-MKA, malformed: ${reason}`, json: { malformed: reason } };
  }
  const icv = keys.verify(frame);
  const icvText = icv === undefined ? '' : icv ? ' [ICV ok]' : ' [ICV does not verify]';
  return {
    text: summariseMkpdu(m) + icvText,
    json: {
      eapolVersion: m.eapolVersion,
      mkaVersion: m.basic.version,
      sci: sciToHex(m.basic.sci),
      mi: toHex(m.basic.mi),
      mn: m.basic.mn,
      keyServerPriority: m.basic.keyServerPriority,
      keyServer: m.basic.keyServer,
      ckn: toHex(m.basic.ckn),
      parameterSets: m.parameterSets.map((p) => parameterSetName(p.type)),
      summary: summariseMkpdu(m),
      icvVerified: icv ?? null,
    },
  };
}
