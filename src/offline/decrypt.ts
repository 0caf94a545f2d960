/**
 * Offline decryption of a capture: every MACsec frame that verifies under a
 * known SA is replaced by its cleartext frame (original addresses, inner
 * EtherType, original timestamp); every other frame is kept as it was.
 *
 * Each SA gets its own receive-only SecY with replay protection off (offline
 * decryption reorders nothing and must not drop a frame for being late) and
 * validateFrames Strict, so that integrity-only frames are verified too.
 * The SecY stays the one implementation of frame validation.
 */
import type { CapturedFrame } from '../io/index.js';
import { SecY, isMacsecFrame, parseSecTag, type Sci } from '../macsec/index.js';
import type { OfflineSa } from './sa.js';

export type FrameOutcome = 'decrypted' | 'icvFailed' | 'noKey' | 'malformed' | 'notMacsec';

export interface DecryptReport {
  frames: number;
  decrypted: number;
  icvFailed: number;
  noKey: number;
  malformed: number;
  notMacsec: number;
  /** EAPOL-MKA frames (also counted in notMacsec). */
  mkpdus: number;
  /** SAKs unwrapped from MKPDUs. */
  saks: number;
}

/**
 * Called for each EAPOL-MKA frame; returns the SAKs it unwrapped and the SAs
 * they make (with XPN, one SA per SC, each with its SSCI).
 */
export type MkpduHook = (frame: Uint8Array, timeNs: bigint) => { saks: number; sas: OfflineSa[] };

interface SaState {
  sa: OfflineSa;
  secy: SecY;
}

export interface DecryptResult {
  frames: CapturedFrame[];
  outcomes: FrameOutcome[];
  report: DecryptReport;
}

// The transmit SCI of a receive-only SecY is never used.
const RX_ONLY_SCI = 0n;

export function isMkpdu(frame: Uint8Array): boolean {
  // EtherType 0x888E, EAPOL packet type 5 (EAPOL-MKA), 802.1X-2020 11.3.
  return frame.length >= 18 && frame[12] === 0x88 && frame[13] === 0x8e && frame[15] === 5;
}

/** Decrypts `frames` with `sas` (and SAs the hook learns on the way). */
export function decryptFrames(frames: CapturedFrame[], sas: OfflineSa[], onMkpdu?: MkpduHook): DecryptResult {
  const states: SaState[] = sas.map(stateFor);
  const report: DecryptReport = { frames: 0, decrypted: 0, icvFailed: 0, noKey: 0, malformed: 0, notMacsec: 0, mkpdus: 0, saks: 0 };
  const out: CapturedFrame[] = [];
  const outcomes: FrameOutcome[] = [];
  for (const f of frames) {
    report.frames++;
    let outcome: FrameOutcome;
    let data = f.data;
    if (!isMacsecFrame(f.data)) {
      outcome = 'notMacsec';
      if (isMkpdu(f.data)) {
        report.mkpdus++;
        const learnt = onMkpdu?.(f.data, f.timeNs);
        if (learnt) {
          report.saks += learnt.saks;
          states.push(...learnt.sas.map(stateFor));
        }
      }
    } else {
      const r = decryptOne(f.data, f.timeNs, states);
      outcome = r.outcome;
      if (r.frame) data = r.frame;
    }
    report[outcome]++;
    outcomes.push(outcome);
    out.push(data === f.data ? f : { ...f, data, origLength: data.length });
  }
  return { frames: out, outcomes, report };
}

function stateFor(sa: OfflineSa): SaState {
  const secy = new SecY({
    txSci: RX_ONLY_SCI,
    cipherSuite: sa.suite,
    replayProtect: false,
    validateFrames: 'strict',
  });
  return { sa, secy };
}

function ensureSa(st: SaState, sci: Sci): void {
  if (st.secy.rxSaNextPn(sci, st.sa.an) !== undefined) return;
  st.secy.createRxSc(sci);
  st.secy.createRxSa(sci, { an: st.sa.an, sak: st.sa.sak, lowestPn: st.sa.firstPn, ssci: st.sa.ssci, salt: st.sa.salt });
  st.secy.enableRxSa(sci, st.sa.an);
}

function decryptOne(frame: Uint8Array, timeNs: bigint, states: SaState[]): { outcome: FrameOutcome; frame?: Uint8Array } {
  // Lenient on PN 0 here: whether PN 0 is legal depends on the SA's suite.
  const parsed = parseSecTag(frame, true);
  if (!parsed.ok) return { outcome: 'malformed' };
  const { sci, an } = parsed.tag;
  const candidates = states
    .filter((s) => s.sa.an === an && (s.sa.sci === undefined || s.sa.sci === sci) && (s.sa.fromNs === undefined || s.sa.fromNs <= timeNs))
    // The SA that came into use last before this frame is the likeliest.
    .sort((a, b) => Number((b.sa.fromNs ?? -1n) - (a.sa.fromNs ?? -1n)));
  if (candidates.length === 0) return { outcome: 'noKey' };
  let malformed = false;
  for (const st of candidates) {
    ensureSa(st, sci);
    const r = st.secy.validate(frame);
    if (r.ok && (r.verdict === 'inPktsOK' || r.verdict === 'inPktsDelayed')) return { outcome: 'decrypted', frame: r.frame };
    if (r.verdict === 'inPktsBadTag' || r.verdict === 'inPktsUncontrolledOnly') malformed = true;
  }
  return { outcome: malformed ? 'malformed' : 'icvFailed' };
}
