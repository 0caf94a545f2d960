/**
 * The lab runtime: namespaces, veths, node processes, state files.
 *
 * @example
 * const lab = await linkUp({ name: 'demo', fast: true });
 * // ... dxlab node status --socket lab.nodes[0].socket
 * await linkDown('demo');
 */
export { linkUp, linkDown, readLinkState, type LinkOptions, type LinkState, type LinkNodeState } from './link.js';
export { LabError, type LabErrorCode } from './errors.js';
export { netnsName, labDir, stateRoot, checkLabName, LAB_NAME_RE, CHECKOUT } from './paths.js';
export { listLabs, readStateFile, ownerOf, currentOwner, type LabOwner, type StateRead } from './state-dir.js';
export { type DownResult } from './teardown.js';
export { run, ip, netnsExists, processAlive, stopProcess } from './host.js';
export { labUp, labDown, readLabState, type LabState, type LabNodeState } from './lab.js';
export { loadTopology, parseTopology, NODE_NAME_RE, type Topology, type TopoLink, type TopoVif } from './topology.js';
export { runDemo, DEMO_TOPOLOGY, type DemoResult } from './demo.js';
export { topologySvg } from './graph.js';
export { killNode, restartNode, setWireCarrier, isLabNodeProcess, type KillResult, type RestartResult, type WireResult } from './node-control.js';
