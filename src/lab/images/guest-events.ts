/**
 * The linux-peer's MKA timeline, derived from two successive readings of
 * its status (guest-status.ts: `wpa_cli status` and `ip macsec show`
 * translated): wpa_supplicant keeps its own log (/run/dxlab/wpa.log in the
 * guest) but no event stream a console can follow, so the VM node compares
 * each reading with the one before and names what changed with the event
 * types of our KaY (src/mka/types.ts), so that `dxlab events`, the scenario
 * runner and the web view read both ends of a link alike. A change is seen
 * when a reading sees it (every STATUS_REFRESH_MS): the time is that of the
 * reading, and each reason says the event was read from the guest.
 * Pure: two readings in, events out.
 */
import type { KayEvent } from '../../mka/index.js';

/** The fields of a port status reading (guestPortStatus) the timeline reads. */
export interface GuestReading {
  mode: string;
  secured: boolean;
  encodingAn: number | null;
  cipherSuite: string | null;
  kay: {
    participants: Array<{ livePeers: Array<{ mi: string; sci: string }>; keyServer?: { sci: string; self: boolean } }>;
  };
}

const READ = 'read from the guest';

/** What changed from `prev` to `next` (none for the first reading but what it already shows). */
export function guestEvents(prev: GuestReading | undefined, next: GuestReading, at: number): KayEvent[] {
  const out: KayEvent[] = [];
  const live = (r: GuestReading | undefined) => new Map((r?.kay.participants[0]?.livePeers ?? []).map((p) => [p.mi, p.sci]));
  const [before, after] = [live(prev), live(next)];
  for (const [mi, sci] of after) if (!before.has(mi)) out.push({ at, type: 'peerLive', reason: `wpa_supplicant lists peer MI ${mi} as live (${READ})`, peer: sci });
  for (const [mi, sci] of before) if (!after.has(mi)) out.push({ at, type: 'peerTimedOut', reason: `wpa_supplicant no longer lists peer MI ${mi} as live (${READ})`, peer: sci });
  const ks = (r: GuestReading | undefined) => r?.kay.participants[0]?.keyServer;
  const [ks0, ks1] = [ks(prev), ks(next)];
  if (ks1 && ks1.sci !== ks0?.sci) out.push({ at, type: 'keyServerElected', reason: `${ks1.self ? 'the guest is key server' : `key server ${ks1.sci}`} (${READ})`, peer: ks1.sci });
  if (next.cipherSuite && next.cipherSuite !== prev?.cipherSuite) out.push({ at, type: 'cipherSuiteChosen', reason: `macsec0 runs ${next.cipherSuite} (${READ})` });
  if (next.encodingAn !== null && next.encodingAn !== prev?.encodingAn) out.push({ at, type: 'sakInUse', reason: `macsec0 transmits with AN ${next.encodingAn} (${READ})`, an: next.encodingAn });
  if (next.secured && !prev?.secured) out.push({ at, type: 'secured', reason: `secured: a transmit SA in use${next.kay.participants.length ? ' and wpa_supplicant says Secured' : ''} (${READ})` });
  if (!next.secured && prev?.secured) {
    // As our KaY names it: should_encrypt falls back to clear, must_encrypt blocks (802.1X-2020 12.4's controlled port).
    if (next.mode === 'should_encrypt') out.push({ at, type: 'fallbackToClear', reason: `security lost: wpa_supplicant has no secured peer; should_encrypt passes clear (${READ})` });
    else if (next.mode === 'must_encrypt') out.push({ at, type: 'portBlocked', reason: `security lost: must_encrypt blocks the port (${READ})` });
  }
  return out;
}
