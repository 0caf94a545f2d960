/**
 * The native GCM engines: macsec's {@link GcmEngine} over the addon's per-SA
 * keys (src/io/native/gcm.c), one on OpenSSL contexts ('openssl') and one on
 * intel-ipsec-mb (src/io/native/gcm-ipsecmb.c, 'ipsec-mb'), and the choice
 * between them and the node:crypto reference engine.
 *
 * node:crypto builds a cipher object per frame (createCipheriv: key
 * expansion, an EVP_CIPHER_CTX, JavaScript wrappers), 2-3 us before the first
 * octet (shared/DESIGN.md). A native key expands the SAK once into two
 * contexts (one per direction); a frame then costs one call that sets the IV,
 * feeds AAD and data, and gets or checks the 16-octet ICV (802.1AE-2018 14.5,
 * 14.7: AES-GCM with a 12-octet IV and a 128-bit tag), writing straight into
 * the SecY's output buffer. The OpenSSL engine runs node:crypto's own
 * OpenSSL (the addon links against the symbols the node binary exports); the
 * ipsec-mb engine runs AES-GCM with the widest code the CPU has (VAES and
 * VPCLMULQDQ with AVX-512 where present), loaded at run time where the
 * library is installed. test/unit/io/native-gcm.test.ts shows that a SecY
 * gives the same bytes, verdicts and counters on each of them.
 *
 * @example
 * import { selectGcmEngine } from '../io/index.js';
 * import { SecY } from '../macsec/index.js';
 *
 * const { engine, fallback } = selectGcmEngine(config.crypto); // ipsec-mb, else openssl, unless the addon cannot load
 * if (fallback) log.warn('native GCM unavailable, using node:crypto', { reason: fallback });
 * const secy = new SecY({ txSci, engine });
 */
import { MacsecError, nodeGcmEngine, type GcmEngine, type GcmKey } from '../macsec/index.js';
import { IoError } from './errors.js';
import { ADDON_PATH, loadNative } from './native.js';

/** An SA key inside the addon (two EVP_CIPHER_CTX, or intel-ipsec-mb's expanded key). */
type NativeKeyHandle = { readonly __brand: 'dxio gcm key' };

/**
 * Entries per frame in a batch descriptor: aadOffset, aadLength, dataOffset,
 * dataLength (in src), tagOffset (seal: in dst; open: in src), outOffset (in dst).
 */
export const GCM_BATCH_FIELDS = 6;

/** The GCM part of the addon's exports (gcm.c). */
interface NativeGcmAddon {
  gcmCreate(key: Uint8Array, engine?: NativeGcmEngineName): NativeKeyHandle;
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
  /** Keys of either engine whose native state is allocated (not yet destroyed or collected), in this process. */
  liveKeys: number;
  /** The intel-ipsec-mb engine; absent from an addon built before it. */
  ipsecMb?: IpsecMbInfo;
}

/** What the addon says of intel-ipsec-mb (gcm-ipsecmb.c). */
export interface IpsecMbInfo {
  /** The library loaded (dlopen) and found a code path for this CPU. */
  available: boolean;
  /** Available and running AES-NI code: what `crypto: native` picks over OpenSSL. */
  preferred: boolean;
  /** The library's version (imb_get_version_str), once it loaded. */
  version?: string;
  /** The code init_mb_mgr_auto chose: 'sse', 'avx', 'avx2', 'avx512' or 'no-aesni'. */
  arch?: string;
  /** Why it is not available. */
  reason?: string;
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
 * an argument; ERR_OPENSSL or ERR_IPSEC_MB when the engine refuses (for valid
 * lengths only with output partly overlapping input), also an argument error.
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

  /** Frees the key's native state, clearing the expanded key; idempotent. Later calls throw IoError('closed'). */
  destroy(): void {
    this.addon.gcmDestroy(this.handle);
  }
}

/** The addon's engines, as gcmCreate takes them and `status()` reports them. */
export type NativeGcmEngineName = 'openssl' | 'ipsec-mb';

/** A native engine: a {@link GcmEngine} whose keys are {@link NativeGcmKey}s. */
export interface NativeGcmEngine extends GcmEngine {
  readonly name: NativeGcmEngineName;
  /**
   * @throws MacsecError('invalidKey') when the key is not 16 or 32 octets.
   * @throws IoError('addonNotLoaded') when the addon (or for 'ipsec-mb' the library) cannot be loaded.
   */
  createKey(sak: Uint8Array): NativeGcmKey;
}

/** Why intel-ipsec-mb cannot run here, or undefined when it can. */
function ipsecMbUnavailable(addon: NativeGcmAddon): string | undefined {
  const m = addon.gcmInfo().ipsecMb;
  if (!m) return `the dxlab addon at ${ADDON_PATH} has no intel-ipsec-mb engine (built before src/io/native/gcm-ipsecmb.c): rebuild it with \`npm rebuild\``;
  return m.available ? undefined : (m.reason ?? 'intel-ipsec-mb not available');
}

function nativeEngine(name: NativeGcmEngineName): NativeGcmEngine {
  return {
    name,
    createKey(sak: Uint8Array): NativeGcmKey {
      if (sak.length !== 16 && sak.length !== 32) {
        throw new MacsecError('invalidKey', `SAK must be 16 or 32 octets, got ${sak.length}`);
      }
      const addon = loadGcm();
      if (name === 'ipsec-mb') {
        const why = ipsecMbUnavailable(addon);
        if (why) throw new IoError('addonNotLoaded', why);
      }
      let handle: NativeKeyHandle;
      try {
        handle = addon.gcmCreate(sak, name);
      } catch (e) {
        throw ioErrorFromGcm(e, `native AES-GCM key (${name})`);
      }
      return new NativeKey(addon, handle);
    },
  };
}

/**
 * AES-GCM through the addon, one pair of OpenSSL contexts per SA. The addon
 * loads on the first key; nothing of the key stays in JavaScript.
 */
export const opensslGcmEngine: NativeGcmEngine = nativeEngine('openssl');

/**
 * AES-GCM through the addon on intel-ipsec-mb: one expanded key per SA (round
 * keys and GHASH powers, computed once), zeroised when the key is destroyed.
 */
export const ipsecMbGcmEngine: NativeGcmEngine = nativeEngine('ipsec-mb');

/**
 * The OpenSSL the native engine runs (the node binary's own, so its version
 * is `process.versions.openssl`), intel-ipsec-mb's state and how many native
 * keys are alive.
 * @throws IoError('addonNotLoaded') when the addon cannot be loaded.
 */
export function nativeGcmInfo(): NativeGcmInfo {
  return loadGcm().gcmInfo();
}

/**
 * The native engines that run here, the one `crypto: native` picks first;
 * empty when the addon does not load.
 */
export function nativeGcmEngines(): NativeGcmEngine[] {
  let addon: NativeGcmAddon;
  try {
    addon = loadGcm();
  } catch {
    return [];
  }
  const m = addon.gcmInfo().ipsecMb;
  if (!m?.available) return [opensslGcmEngine];
  return m.preferred ? [ipsecMbGcmEngine, opensslGcmEngine] : [opensslGcmEngine, ipsecMbGcmEngine];
}

/** Whether `engine` is one of the addon's (the fast path runs only with those). */
export function isNativeGcmEngine(engine: GcmEngine): engine is NativeGcmEngine {
  return engine === opensslGcmEngine || engine === ipsecMbGcmEngine;
}

/**
 * The data-plane crypto a node may choose (`crypto` in its config): 'native'
 * the fastest engine of the addon, or one forced by name.
 */
export type CryptoChoice = 'node' | 'native' | NativeGcmEngineName;

/** Every {@link CryptoChoice}, for the CLI and the configuration's checks. */
export const CRYPTO_CHOICES: readonly CryptoChoice[] = ['native', 'openssl', 'ipsec-mb', 'node'];

export interface SelectedGcmEngine {
  engine: GcmEngine;
  /** Set when no engine was asked for and the addon could not load: why node:crypto runs instead. */
  fallback?: string;
}

/**
 * Picks the data-plane GCM engine: 'node' the node:crypto reference;
 * 'openssl' or 'ipsec-mb' that engine of the addon (an error when it cannot
 * load); 'native' the fastest of the addon's engines that loads
 * ({@link nativeGcmEngines}: intel-ipsec-mb where the library loads and runs
 * AES-NI code, else OpenSSL); none given: as 'native' where the addon loads,
 * else node:crypto with the reason in `fallback`.
 * @throws IoError('addonNotLoaded') for a native choice that cannot load, naming why.
 */
export function selectGcmEngine(choice?: CryptoChoice): SelectedGcmEngine {
  if (choice === 'node') return { engine: nodeGcmEngine };
  let addon: NativeGcmAddon;
  try {
    addon = loadGcm();
  } catch (e) {
    if (choice !== undefined) throw e;
    return { engine: nodeGcmEngine, fallback: (e as Error).message };
  }
  if (choice === 'openssl') return { engine: opensslGcmEngine };
  if (choice === 'ipsec-mb') {
    const why = ipsecMbUnavailable(addon);
    if (why) throw new IoError('addonNotLoaded', `crypto ipsec-mb: ${why}`);
    return { engine: ipsecMbGcmEngine };
  }
  return { engine: nativeGcmEngines()[0]! };
}
