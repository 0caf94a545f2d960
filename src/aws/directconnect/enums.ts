/**
 * Direct Connect's strings exactly as AWS spells them (botocore
 * directconnect service-2.json enums and documented values; reference §3).
 */

export const CONNECTION_STATES = ['ordering', 'requested', 'pending', 'available', 'down', 'deleting', 'deleted', 'rejected', 'unknown'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const LAG_STATES = ['requested', 'pending', 'available', 'down', 'deleting', 'deleted', 'unknown'] as const;
export type LagState = (typeof LAG_STATES)[number];

export const VIF_STATES = ['confirming', 'verifying', 'pending', 'available', 'down', 'testing', 'deleting', 'deleted', 'rejected', 'unknown'] as const;
export type VifState = (typeof VIF_STATES)[number];

export type BgpPeerState = 'verifying' | 'pending' | 'available' | 'deleting' | 'deleted';
export type BgpStatus = 'up' | 'down' | 'unknown';

/** V9: the three encryption modes (a plain string in the model, these values in its doc). */
export const ENCRYPTION_MODES = ['no_encrypt', 'should_encrypt', 'must_encrypt'] as const;

/** MacSecKey.state (model doc). */
export type MacSecKeyState = 'associating' | 'associated' | 'disassociating' | 'disassociated';

/** Dedicated port speeds (CreateLag doc: 1Gbps, 10Gbps, 100Gbps, 400Gbps). */
export const DEDICATED_BANDWIDTHS = ['1Gbps', '10Gbps', '100Gbps', '400Gbps'] as const;

/** V16: members of a LAG at most, by port speed (CreateLag doc). */
export function maxLagMembers(bandwidth: string): number {
  return bandwidth === '100Gbps' || bandwidth === '400Gbps' ? 2 : 4;
}

/** V12 as the blog shows it: "Encryption Up with CKN <CKN>" while secured. */
export const PORT_ENCRYPTION_DOWN = 'Encryption Down';
export function portEncryptionUp(ckn: string): string {
  return `Encryption Up with CKN ${ckn}`;
}

export const HAS_LOGICAL_REDUNDANCY_UNKNOWN = 'unknown';
