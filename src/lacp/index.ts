/**
 * Link aggregation, IEEE 802.1AX-2014 (clause 6; the same machines and PDUs
 * in 802.1AX-2020), as a pure, time-driven layer like the KaY: the LACPDU and
 * Marker PDU codecs, the Marker Responder, the Receive, Periodic
 * Transmission, Mux and Transmit machines of each Aggregation Port, the
 * Selection Logic by aggregation key, active and passive modes, fast and slow
 * rates, and the logical port under AWS's `minimumLinks`. It never touches a
 * port: it returns frames to send per member and says which members collect
 * and distribute; the node applies that.
 *
 * @example
 * import { Lag } from '../lacp/index.js';
 * const lag = new Lag({ system, key: 1, ports: [{ name: 'm1', mac: mac1, portNumber: 1 }, { name: 'm2', mac: mac2, portNumber: 2 }] });
 * let out = lag.start(clock());
 * out = lag.setPortEnabled(clock(), 'm1', true);
 * // on a frame of EtherType 0x8809 from member m1: out = lag.receive(clock(), 'm1', frame)
 * // at out.nextDeadline: out = lag.tick(clock())
 * // each time: send out.transmit[i].frame on member out.transmit[i].port, log out.events
 */
export * from './constants.js';
export { LacpError, type LacpErrorCode } from './errors.js';
export { decodeLacpdu, encodeLacpdu, slowProtocolSubtype, samePortInformation, type Lacpdu, type LacpduInput, type PortInformation } from './lacpdu.js';
export { decodeMarkerPdu, encodeMarkerPdu, markerResponse, type MarkerPdu, type MarkerPduInput } from './marker.js';
export { stateFlags, stateLetters, type StateFlag } from './state.js';
export type { RxState, PeriodicState, MuxState, Selected, LacpMachine, LacpPortCounters } from './port.js';
export { Lag, type LagConfig, type LagPortConfig, type LagStatus, type LagPortStatus, type LacpEvent, type LacpEventType, type LacpOutput, type LagComponents } from './lag.js';
export { flowHash, distributeFrame, collectFrame } from './distributor.js';
