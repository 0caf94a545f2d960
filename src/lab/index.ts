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
export { netnsName, labDir, stateRoot } from './paths.js';
export { run, ip, netnsExists, processAlive, stopProcess } from './host.js';
export { labUp, labDown, readLabState, listLabs, type LabState, type LabNodeState } from './lab.js';
export { loadTopology, parseTopology, type Topology, type TopoLink, type TopoVif } from './topology.js';
export { runDemo, DEMO_TOPOLOGY, type DemoResult } from './demo.js';
export { topologySvg } from './graph.js';
