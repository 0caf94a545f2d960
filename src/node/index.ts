/**
 * A lab node process: ports with a SecY and a KaY each (or plain), the
 * control socket, captures and logs.
 *
 * @example
 * import { LabNode, loadNodeConfig } from '../node/index.js';
 * const node = new LabNode(loadNodeConfig('dx.yaml'));
 * await node.start();
 */
export { LabNode, kernelDevices, kernelDevicesWith, type DeviceFactory, type KernelDeviceOptions } from './node.js';
export { loadNodeConfig, resolveNodeConfig, resolveMacsecKnob, resolveStaticSasRequest, knobConfigValue, BGP_HOLD_TIME_S, BGP_KEEPALIVE_S, BGP_CONNECT_RETRY_S, type NodeKind, type NodeConfig, type NodeOverrides, type PortConfig, type TapConfig, type MacsecConfig } from './config.js';
export { NodeError, type NodeErrorCode } from './errors.js';
export { controlRequest, controlTimeoutMs, CONTROL_TIMEOUT_MS, type ControlRequestOptions } from './control-client.js';
export { checkCapturePath, prepareCapturePath, type CapturePathCheck } from './capture-path.js';
export { CaptureFile, type CaptureInfo, type CaptureSide } from './capture.js';
export { applySecYCommand } from './secy-commands.js';
export { MacsecPort, MACSEC_OVERHEAD, type PortEvent } from './macsec-port.js';
export { Port, MAX_PORT_EVENTS, type PortCounters } from './port.js';
export { createLogger, type Logger } from './logger.js';
export { JsonLineServer, MAX_REQUEST_LINE, type JsonLineConnection, type JsonLineServerOptions, type JsonRequest } from './json-line-server.js';
export { addVlanTag, removeVlanTag, vlanOf, VLAN_TAG_LEN } from './vlan.js';
export type { BgpPeerStatus } from './bgp/index.js';
export { birdPeerStatus, parseBirdProtocol, type BirdProtocolInfo } from './bgp/index.js';
export { MACSEC_KNOBS, KNOB_NAMES, isMacsecKnob, parseKnobWord, type MacsecKnob, type KnobApply, type KnobSpec } from './knobs.js';
