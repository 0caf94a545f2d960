/**
 * The MACsec data plane (IEEE 802.1AE-2018), pure: the SecTAG codec, the four
 * GCM-AES cipher suites, the SecY with its secure channels, associations,
 * replay protection, validateFrames and counters.
 *
 * @example
 * import { SecY, GCM_AES_XPN_256, sciFromHex } from '../macsec/index.js';
 * const secy = new SecY({ txSci: sciFromHex('5254009900020001'), cipherSuite: GCM_AES_XPN_256 });
 * secy.createTxSa({ an: 0, sak, nextPn: 1n, ssci: 1, salt });
 * secy.enableTxSa(0);
 * const r = secy.protect(frame);
 */
export * from './constants.js';
export * from './errors.js';
export * from './cipher-suite.js';
export * from './sci.js';
export * from './sectag.js';
export * from './gcm-engine.js';
export * from './counters.js';
export * from './secy.js';
export * from './sa-state.js';
export * from './xpn.js';
