/**
 * Offline capture tools: decrypt, encrypt and inspect pcap/pcapng files with
 * the SecY (and, for MKPDUs, the KaY's codec and key hierarchy).
 *
 * @example
 * const cap = readCaptureFile('wire.pcap');
 * const { frames, report } = decryptFrames(cap.frames, [parseSaSpec('sci=5254009900020001,an=0,sak=…', GCM_AES_256)]);
 */
export * from './sa.js';
export * from './decrypt.js';
export * from './encrypt.js';
export * from './describe.js';
export * from './mka-keys.js';
