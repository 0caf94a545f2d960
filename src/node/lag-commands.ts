/**
 * A LAG's MACsec and membership in one operation on the node (control
 * socket `addKey` / `removeKey` / `setMode` with `"lag"`, `setMinimumLinks`,
 * `lagMember`): AWS configures MACsec "at the LAG level and not at the
 * Direct Connect Connection level" (the blog), one key chain and one mode
 * for every member (directconnect-api.md V8, V15), while each member keeps
 * its own KaY and SecY here, as real gear does.
 *
 * Every member is checked before any is changed, so that a refusal (a
 * member without MACsec, a CKN already held or missing, a full chain)
 * leaves every member as it was.
 */
import { fromHex, toHex } from '../shared/bytes.js';
import { Secret } from '../shared/secret.js';
import { NodeError } from './errors.js';
import type { LagPort } from './lag-port.js';
import { MacsecPort } from './macsec-port.js';
import type { EncryptionMode } from '../mka/index.js';

/** AWS's and the KaY's most pairs in a key chain (V7; mka/kay.ts KEY_CHAIN_MAX). */
const KEY_CHAIN_MAX = 3;

/** Each member's key chain after a LAG-wide change, as the answer gives it (CKNs only). */
export interface LagKeyAnswer {
  lag: string;
  members: Array<{ port: string; keyChain: string[] }>;
}

function macsecMembers(lag: LagPort): MacsecPort[] {
  return lag.members.map((m) => {
    if (!(m instanceof MacsecPort)) throw new NodeError('badRequest', `LAG ${lag.name}: member ${m.name} has no MACsec, so the LAG's key chain and mode cannot apply to it`);
    return m;
  });
}

function answer(lag: LagPort, members: MacsecPort[]): LagKeyAnswer {
  return { lag: lag.name, members: members.map((m) => ({ port: m.name, keyChain: m.keyChainCkns() })) };
}

/**
 * Adds the pair to every member's key chain as its newest (each member
 * keeps its own copy of the CAK, zeroed when the pair leaves it).
 * @throws NodeError('badRequest') when a member has no MACsec, holds the CKN, or holds three pairs.
 */
export function lagAddKey(lag: LagPort, ckn: Uint8Array, cak: Secret): LagKeyAnswer {
  const members = macsecMembers(lag);
  const hex = toHex(ckn);
  for (const m of members) {
    const chain = m.keyChainCkns();
    if (chain.includes(hex)) throw new NodeError('badRequest', `LAG ${lag.name}: member ${m.name} holds CKN ${hex} already: an associated key cannot be modified; remove it first`);
    if (chain.length >= KEY_CHAIN_MAX) throw new NodeError('badRequest', `LAG ${lag.name}: member ${m.name}'s key chain holds ${chain.length} pairs, the most there can be: remove one first`);
  }
  for (const m of members) m.addKey(ckn, new Secret(cak.expose(), cak.kind));
  cak.destroy();
  return answer(lag, members);
}

/** @throws NodeError('badRequest') when a member has no MACsec or does not hold the CKN. */
export function lagRemoveKey(lag: LagPort, ckn: Uint8Array): LagKeyAnswer {
  const members = macsecMembers(lag);
  const hex = toHex(ckn);
  const missing = members.filter((m) => !m.keyChainCkns().includes(hex));
  if (missing.length) throw new NodeError('badRequest', `LAG ${lag.name}: no CKN ${hex} in the key chain of member ${missing.map((m) => m.name).join(', ')}`);
  for (const m of members) m.removeKey(fromHex(hex, 'ckn'));
  return answer(lag, members);
}

/** @throws NodeError('badRequest') when a member has no MACsec. */
export function lagSetMode(lag: LagPort, mode: EncryptionMode): { lag: string; mode: EncryptionMode; members: string[] } {
  const members = macsecMembers(lag);
  for (const m of members) m.setMode(mode);
  return { lag: lag.name, mode, members: members.map((m) => m.name) };
}

/**
 * AWS's minimumLinks (UpdateLag): the logical port is down while fewer members distribute.
 * @throws NodeError('badRequest') when not an integer from 0 to the member count.
 */
export function lagSetMinimumLinks(lag: LagPort, value: unknown): { lag: string; minimumLinks: number; logicalPortUp: boolean } {
  const n = lag.members.length;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > n) {
    throw new NodeError('badRequest', `'minimumLinks' must be an integer from 0 to LAG ${lag.name}'s ${n} members, got ${JSON.stringify(value)}`);
  }
  lag.setMinimumLinks(value);
  return { lag: lag.name, minimumLinks: value, logicalPortUp: lag.lag.logicalPortUp };
}

/**
 * A member port taken out of the LAG or put back (AWS DisassociateConnectionFromLag /
 * AssociateConnectionWithLag): its LACP_Enabled (802.1AX-2014 6.4.8), so that
 * out of the LAG it sends no LACPDU and is never selected, and back in it is
 * aggregated again. The LAG's members are those the node started with: a
 * port that is not one of them cannot join.
 * @throws NodeError('badRequest') naming the LAG's members when `port` is not one.
 */
export function lagSetMember(lag: LagPort, port: string, enabled: unknown): { lag: string; port: string; member: boolean } {
  if (typeof enabled !== 'boolean') throw new NodeError('badRequest', `'member' must be true or false`);
  if (!lag.members.some((m) => m.name === port)) {
    throw new NodeError(
      'badRequest',
      `port ${port} is not one of LAG ${lag.name}'s member ports (${lag.members.map((m) => m.name).join(', ')}): a node's LAG has the members its topology gave it, and only those can leave it and rejoin it live`,
    );
  }
  lag.setMember(port, enabled);
  return { lag: lag.name, port, member: enabled };
}
