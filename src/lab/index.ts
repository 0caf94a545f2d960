/**
 * The lab runtime: namespaces, veths, node processes, state files.
 *
 * @example
 * const lab = await linkUp({ name: 'demo', fast: true });
 * // ... dxlab node status --socket lab.nodes[0].socket
 * await linkDown('demo');
 */
export { linkUp, linkDown, readLinkState, linkTopology, type LinkOptions, type LinkState, type LinkNodeState } from './link.js';
export { LabError, type LabErrorCode } from './errors.js';
export { netnsName, labDir, stateRoot, checkLabName, LAB_NAME_RE, CHECKOUT } from './paths.js';
export { listLabs, readStateFile, ownerOf, currentOwner, type LabOwner, type StateRead } from './state-dir.js';
export { type DownResult } from './teardown.js';
export { PhaseTimer, formatTimings, type PhaseTiming } from './timings.js';
export { run, ip, netnsExists, processAlive, stopProcess } from './host.js';
export { writeStateFile } from './state-dir.js';
export { labUp, labDown, readLabState, readLabTopology, labTopologyFile, topologyWithoutKeys, type LabState, type LabNodeState, type LabUpOptions } from './lab.js';
export { loadTopology, parseTopology, resolveTopology, NODE_NAME_RE, type Topology, type TopoLink, type TopoVif, type TopoNode, type MacsecOptions } from './topology.js';
export { NODE_KINDS, nodeKind, awsRuleBroken, dxCipherSuites, DX_SPEEDS, DEFAULT_DX_SPEED, DEFAULT_DX_LOCATION, type DxSpeed, type NodeKindModule } from './kinds/index.js';
export { NODE_RUNTIMES, nodeRuntime, withDefaultRuntime, type NodeRuntime } from './runtimes/index.js';
export { startDockerd, stopDockerd, findDockerd, dockerdPaths, type PrivateDockerd } from './docker/daemon.js';
export { docker, labDockerHost, DOCKER_BIN } from './docker/engine.js';
export { buildNodeImage, nodeImageTag, nodeImageInputs, composeImageTag, NODE_IMAGE_REPO } from './docker/node-image.js';
export { composeFiles, GENERATED_MARK, type ComposeFiles, type ComposeOptions } from './compose/compose-file.js';
export { createWire, setUpWireEnd, checkWireArgs } from './compose/wire.js';
export { LINK_TYPES, linkType, type LinkType } from './links/index.js';
export { NODE_BIN, WIRE_EXTRA, KEY_SERVER_PRIORITY } from './constants.js';
export { runDemo, DEMO_TOPOLOGY, type DemoResult } from './demo.js';
export { LIVE_COLORS, linkLabel, liveKey, topologySvg, type LinkLive, type LiveStates } from './graph.js';
export { topologyDot, topologyMermaid } from './graph-formats.js';
export { killNode, restartNode, setWireCarrier, isLabNodeProcess, type KillResult, type RestartResult, type WireResult } from './node-control.js';
export { checkKindSet } from './kind-rules.js';
export { updateLabState } from './lab.js';
export { startLabService, portFree, SERVICE_PORT_TRIES, type LabService, type LabServiceContext, type RunningLabService, type LabServiceEntry } from './services.js';
export { Supervisor, RESTART_POLICIES, RESTART_BACKOFF, restartDelayMs, shouldRestart, type RestartPolicy, type NodeExit, type SupervisedNodeView, type SupervisorDeps, type SupervisorClock, type ChildHandle } from './supervisor.js';
export { runSupervisor, type RunSupervisorOptions } from './supervisor-process.js';
export { askSupervisor, isLabSupervisor, labSupervisors, recordedSupervisorRuns, supervisorArgv, SUPERVISOR_LOG, SUPERVISOR_SOCKET, type SupervisorEntry } from './supervisor-ref.js';
export { awaitBuildsInProgress, buildsInProgress, buildImage, findImage, imageInputs, imageKey, qemuArgs, GUEST_PACKAGES, DEFAULT_MIRROR, type LinuxPeerImage } from './images/linux-peer.js';
export { GuestConsole, type CommandResult } from './images/guest-console.js';
export { runVmNode } from './runtimes/vm-node.js';
export { imageCacheRoot } from './paths.js';
export { k8sManifests, checkDns1123Label, MESHNET_API_VERSION, type K8sManifests, type K8sObject } from './k8s/manifests.js';
export { writeK8sManifests, checkOutDir, manifestYaml } from './k8s/write.js';
