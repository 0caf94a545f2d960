/**
 * The one small per-SA crypto interface of the SecY, so that a native fast
 * path can replace node:crypto without touching frame processing.
 *
 * A `GcmKey` seals and opens with one SAK. The SecY builds the 12-octet IV
 * (802.1AE-2018 14.5: SCI ‖ PN, or for XPN (SSCI ‖ PN64) ⊕ salt) and the AAD;
 * the engine only runs AES-GCM with a 16-octet tag.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { MacsecError } from './errors.js';

export interface GcmKey {
  /**
   * Encrypts `plaintext` (may be empty: integrity only) with `aad` and writes
   * ciphertext then the 16-octet ICV into `out` at `outOffset`.
   * `out` must have room for plaintext.length + 16 octets.
   */
  seal(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, outOffset: number): void;
  /**
   * Verifies `icv` over `aad` and `ciphertext` and writes the plaintext into
   * `out` at `outOffset`; returns false when the ICV does not verify (then
   * `out` holds no plaintext: whatever was written is zeroed).
   */
  open(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, icv: Uint8Array, out: Uint8Array, outOffset: number): boolean;
  /** Zeroes the key octets held by this object. */
  destroy(): void;
}

export interface GcmEngine {
  readonly name: string;
  /** @throws MacsecError('invalidKey') when the key is not 16 or 32 octets. */
  createKey(sak: Uint8Array): GcmKey;
}

/**
 * The reference engine: node:crypto (OpenSSL, with AES-NI where the CPU has
 * it), one cipher object per frame.
 */
export const nodeGcmEngine: GcmEngine = {
  name: 'node',
  createKey(sak: Uint8Array): GcmKey {
    if (sak.length !== 16 && sak.length !== 32) {
      throw new MacsecError('invalidKey', `SAK must be 16 or 32 octets, got ${sak.length}`);
    }
    const key = Buffer.from(sak);
    const algorithm = sak.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
    return {
      // GCM's tag is 16 octets unless told otherwise; passing no options object
      // saves node:crypto a measurable option parse per frame.
      seal(iv, aad, plaintext, out, outOffset) {
        const c = createCipheriv(algorithm, key, iv);
        c.setAAD(aad);
        // GCM is a stream mode: update() returns every octet, final() none.
        if (plaintext.length > 0) out.set(c.update(plaintext), outOffset);
        c.final();
        out.set(c.getAuthTag(), outOffset + plaintext.length);
      },
      open(iv, aad, ciphertext, icv, out, outOffset) {
        const d = createDecipheriv(algorithm, key, iv);
        d.setAAD(aad);
        d.setAuthTag(icv);
        if (ciphertext.length > 0) out.set(d.update(ciphertext), outOffset);
        try {
          d.final();
        } catch {
          out.fill(0, outOffset, outOffset + ciphertext.length);
          return false;
        }
        return true;
      },
      destroy() {
        key.fill(0);
      },
    };
  },
};
