/**
 * The native GCM engine: macsec's {@link GcmEngine} over the addon's per-SA
 * OpenSSL contexts (src/io/native/gcm.c), and the choice between it and the
 * node:crypto reference engine.
 *
 * node:crypto builds a cipher object per frame (createCipheriv: key
 * expansion, an EVP_CIPHER_CTX, JavaScript wrappers), 2-3 us before the first
 * octet (shared/DESIGN.md). A native key expands the SAK once into two
 * contexts (one per direction); a frame then costs one call that sets the IV,
 * feeds AAD and data, and gets or checks the 16-octet ICV (802.1AE-2018 14.5,
 * 14.7: AES-GCM with a 12-octet IV and a 128-bit tag), writing straight into
 * the SecY's output buffer. Both engines run the same OpenSSL (the addon
 * links against the symbols the node binary exports), and
 * test/unit/io/native-gcm.test.ts shows that a SecY gives the same bytes,
 * verdicts and counters on either.
 *
 * @example
 * import { selectGcmEngine } from '../io/index.js';
 * import { SecY } from '../macsec/index.js';
 *
 * const { engine, fallback } = selectGcmEngine(config.crypto); // 'native' unless the addon cannot load
 * if (fallback) log.warn('native GCM unavailable, using node:crypto', { reason: fallback });
 * const secy = new SecY({ txSci, engine });
 */
import { MacsecError, nodeGcmEngine, type GcmEngine, type GcmKey } from '../macsec/index.js';
import { IoError } from './errors.js';
import { ADDON_PATH, loadNative } from './native.js';

/** An SA key inside the addon (two EVP_CIPHER_CTX). */
type NativeKeyHandle = { readonly __brand: 'dxio gcm key' };

/**
 * Entries per frame in a batch descriptor: aadOffset, aadLength, dataOffset,
 * dataLength (in src), tagOffset (seal: in dst; open: in src), outOffset (in dst).
 */
export const GCM_BATCH_FIELDS = 6;

/** The GCM part of the addon's exports (gcm.c). */
interface NativeGcmAddon {
  gcmCreate(key: Uint8Array): NativeKeyHandle;
  gcmSeal(k: NativeKeyHandle, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, outOffset: number): void;
  gcmOpen(k: NativeKeyHandle, iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, icv: Uint8Array, out: Uint8Array, outOffset: number): boolean;
  gcmSealBatch(k: NativeKeyHandle, src: Uint8Array, dst: Uint8Array, count: number, desc: Uint32Array, ivs: Uint8Array): void;
  gcmOpenBatch(k: NativeKeyHandle, src: Uint8Array, dst: Uint8Array, count: number, desc: Uint32Array, ivs: Uint8Array, ok: Uint8Array): number;
  gcmDestroy(k: NativeKeyHandle): void;
  gcmInfo(): NativeGcmInfo;
}

/** What the addon's GCM part reports. */
export interface NativeGcmInfo {
  /** OpenSSL_version(OPENSSL_VERSION) of the OpenSSL the addon runs: the node binary's. */
  openssl: string;
  /** {@link GCM_BATCH_FIELDS} as compiled into the addon. */
  batchFields: number;
  /** Keys whose OpenSSL contexts are allocated (not yet destroyed or collected), in this process. */
  liveKeys: number;
}

let gcm: NativeGcmAddon | undefined;

/**
 * The addon's GCM functions, loaded once.
 * @throws IoError('addonNotLoaded') when the addon does not load or was built before gcm.c.
 */
function loadGcm(): NativeGcmAddon {
  if (gcm) return gcm;
  const addon = loadNative() as unknown as Partial<NativeGcmAddon>;
  if (typeof addon.gcmCreate !== 'function' || typeof addon.gcmSeal !== 'function') {
    throw new IoError('addonNotLoaded', `the dxlab addon at ${ADDON_PATH} has no GCM engine (built before src/io/native/gcm.c): rebuild it with \`npm rebuild\``);
  }
  gcm = addon as NativeGcmAddon;
  return gcm;
}

/**
 * What gcm.c throws: ECLOSED for a destroyed key; TypeError or RangeError for
 * an argument; ERR_OPENSSL when OpenSSL refuses (for valid lengths only
 * with output partly overlapping input), also an argument error.
 */
function ioErrorFromGcm(e: unknown, what: string): IoError {
  const message = `${what}: ${(e as Error)?.message ?? String(e)}`;
  return new IoError((e as { code?: unknown })?.code === 'ECLOSED' ? 'closed' : 'invalidArgument', message, { cause: e });
}

/** Runs one addon call, what it throws turned into an IoError naming the operation (ioErrorFromGcm). */
function guarded<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw ioErrorFromGcm(e, `native AES-GCM ${what}`);
  }
}

/**
 * A native SA key: {@link GcmKey} plus whole batches in one call, for the
 * batched data path (frames back to back in one buffer, as the addon
 * delivers them).
 */
export interface NativeGcmKey extends GcmKey {
  /**
   * Seals `count` frames: for frame i, `desc[6i..6i+6)` = aadOffset,
   * aadLength, dataOffset, dataLength (in `src`), tagOffset, outOffset (in
   * `dst`), and its IV at `ivs[12i..12i+12)`. `dst` may be `src` when each
   * output region is its input region or disjoint from every input.
   * @throws IoError('invalidArgument') when a region lies outside its buffer (then no frame is sealed).
   */
  sealBatch(src: Uint8Array, dst: Uint8Array, count: number, desc: Uint32Array, ivs: Uint8Array): void;
  /**
   * Opens `count` frames laid out as for {@link sealBatch}, the ICV read from
   * `src` at tagOffset; `ok[i]` is 1 when frame i verified, else 0 (and its
   * output zeroed).
   * @returns how many frames verified.
   * @throws IoError('invalidArgument') when a region lies outside its buffer (then no frame is opened).
   */
  openBatch(src: Uint8Array, dst: Uint8Array, count: number, desc: Uint32Array, ivs: Uint8Array, ok: Uint8Array): number;
}

class NativeKey implements NativeGcmKey {
  constructor(
    private readonly addon: NativeGcmAddon,
    private readonly handle: NativeKeyHandle,
  ) {}

  /** The addon's key object, which the SecY hands to the native fast path (src/io/fastpath.ts). */
  get nativeHandle(): NativeKeyHandle {
    return this.handle;
  }

  seal(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, outOffset: number): void {
    guarded('seal', () => this.addon.gcmSeal(this.handle, iv, aad, plaintext, out, outOffset));
  }

  open(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, icv: Uint8Array, out: Uint8Array, outOffset: number): boolean {
    return guarded('open', () => this.addon.gcmOpen(this.handle, iv, aad, ciphertext, icv, out, outOffset));
  }

  sealBatch(src: Uint8Array, dst: Uint8Array, count: number, desc: Uint32Array, ivs: Uint8Array): void {
    guarded('seal batch', () => this.addon.gcmSealBatch(this.handle, src, dst, count, desc, ivs));
  }

  openBatch(src: Uint8Array, dst: Uint8Array, count: number, desc: Uint32Array, ivs: Uint8Array, ok: Uint8Array): number {
    return guarded('open batch', () => this.addon.gcmOpenBatch(this.handle, src, dst, count, desc, ivs, ok));
  }

  /** Frees both OpenSSL contexts, which clears the expanded key; idempotent. Later calls throw IoError('closed'). */
  destroy(): void {
    this.addon.gcmDestroy(this.handle);
  }
}

/** The native engine: a {@link GcmEngine} whose keys are {@link NativeGcmKey}s. */
export interface NativeGcmEngine extends GcmEngine {
  readonly name: 'native';
  /**
   * @throws MacsecError('invalidKey') when the key is not 16 or 32 octets.
   * @throws IoError('addonNotLoaded') when the addon cannot be loaded.
   */
  createKey(sak: Uint8Array): NativeGcmKey;
}

/**
 * AES-GCM through the addon, one pair of OpenSSL contexts per SA. The addon
 * loads on the first key; nothing of the key stays in JavaScript.
 */
export const nativeGcmEngine: NativeGcmEngine = {
  name: 'native',
  createKey(sak: Uint8Array): NativeGcmKey {
    if (sak.length !== 16 && sak.length !== 32) {
      throw new MacsecError('invalidKey', `SAK must be 16 or 32 octets, got ${sak.length}`);
    }
    const addon = loadGcm();
    let handle: NativeKeyHandle;
    try {
      handle = addon.gcmCreate(sak);
    } catch (e) {
      throw ioErrorFromGcm(e, 'native AES-GCM key');
    }
    return new NativeKey(addon, handle);
  },
};

/**
 * The OpenSSL the native engine runs (the node binary's own, so its version
 * is `process.versions.openssl`) and how many native keys are alive.
 * @throws IoError('addonNotLoaded') when the addon cannot be loaded.
 */
export function nativeGcmInfo(): NativeGcmInfo {
  return loadGcm().gcmInfo();
}

/** The data-plane crypto a node may choose (`crypto` in its config). */
export type CryptoChoice = 'node' | 'native';

export interface SelectedGcmEngine {
  engine: GcmEngine;
  /** Set when no engine was asked for and native could not load: why node:crypto runs instead. */
  fallback?: string;
}

/**
 * Picks the data-plane GCM engine: 'node' the node:crypto reference,
 * 'native' the addon (an error when it cannot load), none given: native where
 * the addon loads, else node:crypto with the reason in `fallback`.
 * @throws IoError('addonNotLoaded') for 'native' when the addon cannot be loaded.
 */
export function selectGcmEngine(choice?: CryptoChoice): SelectedGcmEngine {
  if (choice === 'node') return { engine: nodeGcmEngine };
  try {
    loadGcm();
    return { engine: nativeGcmEngine };
  } catch (e) {
    if (choice === 'native') throw e;
    return { engine: nodeGcmEngine, fallback: (e as Error).message };
  }
}
