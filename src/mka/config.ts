/**
 * KaY configuration with every default applied and every value checked once
 * at the public edge (STYLE §2).
 */
import { Secret } from '../shared/secret.js';
import { toHex } from '../shared/bytes.js';
import { GCM_AES_256, GCM_AES_XPN_256, sciMac, type CipherSuite, type Sci } from '../macsec/index.js';
import { MkaError } from './errors.js';
import {
  ETHERTYPE_EAPOL,
  KEY_CHAIN_MAX,
  KEY_SERVER_PRIORITY_DEFAULT,
  MKA_BOUNDED_HELLO_TIME_MS,
  MKA_HELLO_TIME_MS,
  MKA_LIFE_TIME_MS,
  MKA_MIN_TRANSMIT_INTERVAL_MS,
  MKA_SAK_RETIRE_TIME_MS,
  MKA_VERSION_DEFAULT,
  PAE_GROUP_ADDRESS,
} from './constants.js';
import { checkCkn } from './kdf.js';
import type { EncryptionMode, KayConfig, ValidateFrames } from './types.js';

export interface ResolvedConfig {
  sci: Sci;
  macAddress: Uint8Array;
  keyChain: Array<{ ckn: Uint8Array; cak: Secret }>;
  mode: EncryptionMode;
  cipherSuites: readonly CipherSuite[];
  keyServerPriority: number;
  helloTimeMs: number;
  lifeTimeMs: number;
  sakRetireTimeMs: number;
  minTransmitIntervalMs: number;
  mkaVersion: number;
  eapolVersion: number;
  eapolDestination: Uint8Array;
  eapolEtherType: number;
  macsecCapability: 0 | 1 | 2 | 3;
  confidentialityOffset: 0 | 30 | 50 | 'none';
  includeSci: boolean;
  replayProtect: boolean;
  replayWindow: number;
  validateFrames: ValidateFrames;
  delayProtect: boolean;
  clearTextEtherTypes: readonly number[];
  pnExhaustionThreshold?: bigint;
  sakRekeyIntervalS?: number;
  announceCipherSuites: boolean;
  includeIcvIndicator: boolean;
}

function fail(msg: string): never {
  throw new MkaError('invalidConfig', msg);
}

/**
 * Applies defaults and checks ranges. The key chain's CAKs are copied into
 * new {@link Secret}s that belong to the caller of this function.
 * @throws MkaError('invalidConfig') naming the option and the value seen.
 */
export function resolveConfig(c: KayConfig): ResolvedConfig {
  // An empty chain is a port with no key associated yet (AWS: a MACsec connection before
  // AssociateMacSecKey, "Encryption Down"): MKA idles until a pair is added (kay.ts).
  if (c.keyChain.length > KEY_CHAIN_MAX) fail(`keyChain: ${c.keyChain.length} pairs, expected 0..${KEY_CHAIN_MAX}`);
  const seen = new Set<string>();
  for (const [i, e] of c.keyChain.entries()) {
    try {
      checkCkn(e.ckn);
    } catch (err) {
      fail(`keyChain[${i}].ckn: ${(err as Error).message}`);
    }
    const len = e.cak.length;
    if (len !== 16 && len !== 32) fail(`keyChain[${i}].cak: expected 16 or 32 octets, got ${len}`);
    const hex = toHex(e.ckn);
    if (seen.has(hex)) fail(`keyChain[${i}].ckn: CKN ${hex} is in the key chain twice`);
    seen.add(hex);
  }

  const delayProtect = c.delayProtect ?? false;
  let helloTimeMs = c.helloTimeMs ?? MKA_HELLO_TIME_MS;
  // Delay protection needs LPN reports at least every MKA Bounded Hello Time (802.1X-2020 9.9).
  if (delayProtect) helloTimeMs = Math.min(helloTimeMs, MKA_BOUNDED_HELLO_TIME_MS);
  const lifeTimeMs = c.lifeTimeMs ?? MKA_LIFE_TIME_MS;
  if (!(helloTimeMs > 0) || !(lifeTimeMs > helloTimeMs)) fail(`helloTimeMs ${helloTimeMs} / lifeTimeMs ${lifeTimeMs}: need 0 < hello < life`);
  const cipherSuites = c.cipherSuites ?? [GCM_AES_XPN_256, GCM_AES_256];
  if (cipherSuites.length === 0) fail('cipherSuites: empty');
  const prio = c.keyServerPriority ?? KEY_SERVER_PRIORITY_DEFAULT;
  if (!Number.isInteger(prio) || prio < 0 || prio > 255) fail(`keyServerPriority ${prio}: expected 0..255`);
  const mkaVersion = c.mkaVersion ?? MKA_VERSION_DEFAULT;
  if (!Number.isInteger(mkaVersion) || mkaVersion < 1 || mkaVersion > 255) fail(`mkaVersion ${mkaVersion}`);
  const eapolVersion = c.eapolVersion ?? 3;
  if (![1, 2, 3].includes(eapolVersion)) fail(`eapolVersion ${eapolVersion}: expected 1..3`);
  const dst = c.eapolDestination ?? Uint8Array.from(PAE_GROUP_ADDRESS);
  if (dst.length !== 6) fail(`eapolDestination: ${dst.length} octets, expected 6`);
  if (c.sakRekeyIntervalS !== undefined && !(c.sakRekeyIntervalS > 0)) fail(`sakRekeyIntervalS ${c.sakRekeyIntervalS}: expected > 0`);
  return {
    sci: c.sci,
    macAddress: sciMac(c.sci).slice(),
    // Copies made once every check passed, owned by the KaY: it zeroes them
    // when a pair leaves the chain (STYLE §7), whatever the caller does with
    // the CAKs it handed in.
    keyChain: c.keyChain.map((e) => ({ ckn: new Uint8Array(e.ckn), cak: new Secret(e.cak instanceof Secret ? e.cak.expose() : e.cak, 'CAK') })),
    mode: c.mode ?? 'should_encrypt',
    cipherSuites,
    keyServerPriority: prio,
    helloTimeMs,
    lifeTimeMs,
    sakRetireTimeMs: c.sakRetireTimeMs ?? MKA_SAK_RETIRE_TIME_MS,
    minTransmitIntervalMs: c.minTransmitIntervalMs ?? MKA_MIN_TRANSMIT_INTERVAL_MS,
    mkaVersion,
    eapolVersion,
    eapolDestination: new Uint8Array(dst),
    eapolEtherType: c.eapolEtherType ?? ETHERTYPE_EAPOL,
    macsecCapability: c.macsecCapability ?? 2,
    confidentialityOffset: c.confidentialityOffset ?? 0,
    includeSci: c.includeSci ?? true,
    replayProtect: c.replayProtect ?? true,
    replayWindow: c.replayWindow ?? 0,
    validateFrames: c.validateFrames ?? 'strict',
    delayProtect,
    clearTextEtherTypes: [...(c.clearTextEtherTypes ?? [])],
    ...(c.pnExhaustionThreshold !== undefined ? { pnExhaustionThreshold: c.pnExhaustionThreshold } : {}),
    ...(c.sakRekeyIntervalS !== undefined ? { sakRekeyIntervalS: c.sakRekeyIntervalS } : {}),
    announceCipherSuites: c.announceCipherSuites ?? true,
    includeIcvIndicator: c.includeIcvIndicator ?? false,
  };
}
