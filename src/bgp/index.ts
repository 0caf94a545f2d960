/**
 * dxlab's builtin BGP-4 speaker, pure core: the message codec (RFC 4271 §4,
 * capabilities RFC 5492 / RFC 6793 / RFC 4760 / RFC 2918, revised UPDATE
 * error handling RFC 7606), the finite state machine of RFC 4271 §8 stepped
 * with explicit time, and the per-peer Adj-RIB-In. It opens no socket and
 * reads no clock: node/ owns the TCP connection (with TCP MD5) and one timer
 * per peer, feeds events in and carries the actions out. BIRD can replace it.
 *
 * @example
 * import { BgpFsm } from '../bgp/index.js';
 *
 * const fsm = new BgpFsm({ localAsn: 65000, peerAsn: 64512, bgpId: '169.254.100.2' });
 * const run = (step) => {
 *   for (const a of step.actions) {
 *     if (a.type === 'connect') tcp.connect(a.conn, peerAddress, 179);
 *     else if (a.type === 'send') tcp.write(a.conn, a.bytes);
 *     else if (a.type === 'disconnect') tcp.close(a.conn);
 *     else if (a.type === 'installRoutes') fib.add(a.routes);
 *     else if (a.type === 'withdrawRoutes') fib.remove(a.prefixes);
 *   }
 *   if (step.nextDeadline !== null) timer.at(step.nextDeadline, () => run(fsm.tick(clock.now())));
 * };
 * run(fsm.handle(clock.now(), { type: 'ManualStart' }));
 * tcp.on('connected', (conn) => run(fsm.handle(clock.now(), { type: 'TcpCrAcked', conn })));
 * tcp.on('data', (conn, bytes) => run(fsm.handle(clock.now(), { type: 'TcpData', conn, bytes })));
 * // once Established:
 * run(fsm.advertise(clock.now(), {
 *   type: 'update', withdrawn: [], nlri: ['198.51.100.0/24'],
 *   attributes: { origin: 'igp', asPath: [{ type: 'sequence', asns: [65000] }], nextHop: '169.254.100.2' },
 * }));
 *
 * @packageDocumentation
 */
export * from './constants.js';
export * from './errors.js';
export type * from './messages.js';
export * from './prefix.js';
export * from './capabilities.js';
export { decodePathAttributes, encodePathAttributes, type AttributeContext, type DecodedAttributes } from './attributes.js';
export * from './codec.js';
export * from './rib.js';
export * from './fsm.js';
