/**
 * MKPDU codec: one module per parameter set (802.1X-2020 11.11), the frame
 * codec and the ICV check.
 *
 * @example
 * import { decodeMkpdu, encodeMkpdu, verifyMkpduIcv } from './mkpdu/index.js';
 * const m = decodeMkpdu(frame);
 * if (verifyMkpduIcv(frame, ick)) console.log(m.basic.mn);
 */
export * from './types.js';
export { decodeMkpdu, encodeMkpdu, verifyMkpduIcv, mkpduLayout, parameterSetName, PARAMETER_SET_CODECS } from './codec.js';
export type { DecodeMkpduOptions, MkpduLayout } from './codec.js';
export { announcedCipherSuites, cipherSuitesTlv } from './announcement.js';
export type { AnnouncedCipherSuite } from './announcement.js';
export { SAK_USE_BODY_LEN } from './sak-use.js';
