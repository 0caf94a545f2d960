/**
 * The eight Actor_State / Partner_State bits of an LACPDU (802.1AX-2014
 * 6.4.2.3 m) as a number, with names for display. The machines keep state as
 * the octet the wire carries, so that what a port sends is its variable.
 */
import { STATE } from './constants.js';

/** The name of each state bit, as `dxlab show lag` and the events print it. */
export type StateFlag = keyof typeof STATE;

/** Names of the bits set in `state`, in bit order (Activity first, Expired last). */
export function stateFlags(state: number): StateFlag[] {
  return (Object.keys(STATE) as StateFlag[]).filter((k) => (state & STATE[k]) !== 0);
}

/** `state` with `bit` set or cleared. */
export function withBit(state: number, bit: number, on: boolean): number {
  return on ? state | bit : state & ~bit & 0xff;
}

/** Whether `bit` is set in `state`. */
export function hasBit(state: number, bit: number): boolean {
  return (state & bit) !== 0;
}

/**
 * Short form of a state octet as the trainer reads it in `dxlab show lag`:
 * one letter per bit set, in bit order, `-` where clear. A = Activity (active),
 * T = Timeout (short), G = Aggregation, S = Synchronization, C = Collecting,
 * D = Distributing, F = Defaulted, E = Expired.
 */
export function stateLetters(state: number): string {
  return 'ATGSCDFE'
    .split('')
    .map((c, i) => ((state >> i) & 1 ? c : '-'))
    .join('');
}
