/**
 * BGP messages through the FSM of an Established session (RFC 4271 §6,
 * RFC 7606): each input is fed as TCP data to a fresh passive speaker that
 * a second FSM brought to Established. Seeds: scapy's BGP test vectors,
 * gobgp's bad-length fuzzer inputs (test/vectors/bgp) and UPDATEs of the
 * lab's own routes. The outcome is the NOTIFICATION sent (code/subcode),
 * the RFC 7606 handling of an UPDATE, `accepted`, or `incomplete` when the
 * octets do not yet make a whole message.
 */
import { BgpFsm, encodeMessage, type BgpAction, type BgpFsmConfig } from '../../../src/bgp/index.js';
import { GOBGP_BAD_LEN, SCAPY_VECTOR_NAMES, scapyVector, updateHex } from '../../unit/bgp/vectors.js';
import type { FuzzTarget } from '../target.js';
import { mutateOctets } from '../mutators.js';

const DX: BgpFsmConfig = { localAsn: 64512, peerAsn: 65000, bgpId: '169.254.100.1', passive: true };
const RT: BgpFsmConfig = { localAsn: 65000, peerAsn: 64512, bgpId: '169.254.100.2' };

const sent = (actions: readonly BgpAction[]) => actions.flatMap((a) => (a.type === 'send' ? [a.bytes] : []));

/** A passive speaker in Established on connection 'in', with the OPEN and KEEPALIVE of a real second FSM. */
function established(): BgpFsm {
  const dx = new BgpFsm(DX);
  const rt = new BgpFsm(RT);
  dx.handle(0, { type: 'ManualStart' });
  dx.handle(0, { type: 'TcpConnectionConfirmed', conn: 'in' });
  const connect = rt.handle(0, { type: 'ManualStart' }).actions.find((a) => a.type === 'connect') as { conn: string };
  const open = sent(rt.handle(0, { type: 'TcpCrAcked', conn: connect.conn }).actions);
  for (const b of open) dx.handle(1, { type: 'TcpData', conn: 'in', bytes: b });
  dx.handle(2, { type: 'TcpData', conn: 'in', bytes: encodeMessage({ type: 'keepalive' }) });
  if (dx.state !== 'Established') throw new Error(`the fuzz session did not establish (${dx.state})`);
  return dx;
}

/** The LENGTH field (octets 16-17) and an UPDATE's Withdrawn Routes Length (19-20). */
const LENGTH_FIELDS = [16, 19];

export const bgpTarget: FuzzTarget = {
  name: 'bgp',
  about: 'BGP messages through the FSM of an Established session',
  seeds: () => [
    ...SCAPY_VECTOR_NAMES.map(scapyVector),
    ...GOBGP_BAD_LEN.map(([, b]) => b),
    encodeMessage({ type: 'keepalive' }),
    // ORIGIN IGP, AS_PATH 64512, NEXT_HOP 169.254.100.1; 10.0.0.0/16 announced, 10.1.0.0/24 withdrawn.
    updateHex('180a0100', '40010100' + '40020602010000fc00' + '400304a9fe6401', '100a00'),
  ],
  mutate: (seed, rand) => mutateOctets(seed, rand, LENGTH_FIELDS),
  setup() {
    return {
      feed(input) {
        const fsm = established();
        const actions = fsm.handle(3, { type: 'TcpData', conn: 'in', bytes: input }).actions;
        const error = actions.find((a) => a.type === 'error');
        if (error && error.type === 'error') return `${error.error.direction === 'sent' ? 'notification' : error.error.direction} ${error.error.code}/${error.error.subcode}`;
        if (actions.some((a) => a.type === 'updateErrors')) return 'rfc7606';
        if (fsm.state !== 'Established') return `left Established (${fsm.state})`;
        return actions.length ? 'accepted' : 'incomplete';
      },
    };
  },
};
