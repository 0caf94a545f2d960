/**
 * Encryption-mode policy: what the controlled port passes, from the AWS mode
 * and the KaY's progress (docs/mka-decisions.md §7; AWS DX User Guide "MAC Security";
 * 802.1X-2020 12.7 logon controls `unsecuredAllowed`).
 *
 * - must_encrypt (unsecuredAllowed = Never): only protected frames once
 *   secured; nothing otherwise; MKA retried forever.
 * - should_encrypt (unsecuredAllowed = MKAfail + MKAserver): nothing while
 *   the first MKA attempt runs; clear frames once MKA failed (not secured
 *   within MKA Life Time of the port coming up, or the key server decided not
 *   to use MACsec or found no cipher suite every member implements); only
 *   protected frames once secured; when security is lost (peer silent for
 *   Life Time, keys no longer matching) back to clear at once while MKA keeps
 *   trying, protected again when it succeeds.
 *
 * `secured` means a SAK in use that every live peer reports receiving with
 * (kay.ts): while a peer has not, the port is not secured, so it is blocked
 * (or clear once MKA failed) rather than protecting frames that peer drops.
 * - no_encrypt: MKA does not run; clear frames.
 */
import type { ControlledPortState, EncryptionMode } from './types.js';

export interface PolicyInput {
  mode: EncryptionMode;
  /** A SAK in use that every live peer reports receiving with. */
  secured: boolean;
  /** MKA failed in the sense of should_encrypt's fallback. */
  mkaFailed: boolean;
}

/** The controlled port's state for a mode and the KaY's progress. */
export function controlledPortState(p: PolicyInput): ControlledPortState {
  if (p.mode === 'no_encrypt') return 'clear';
  if (p.secured) return 'secured';
  if (p.mode === 'should_encrypt' && p.mkaFailed) return 'clear';
  return 'blocked';
}
