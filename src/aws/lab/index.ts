/**
 * The AWS API bound to a running lab: the lab is the Direct Connect
 * location, its DX ports the connections' ports, and every API change
 * reaches the DX node through its control socket.
 *
 * @example
 * const api = await labApiService().start(ctx);  // ctx: the supervisor's LabServiceContext
 * // aws directconnect describe-connections --endpoint-url api.url
 * await api.stop();
 */
export { labApiService, startLabApi, type RunningLabApi, type LabApiOptions, type LabApiService } from './service.js';
export { LabBinding, socketControl, labWires, vifTap, vifTapName, type NodeControl, type WireControl, type LabBindingOptions } from './lab-binding.js';
export { labPlan, labQuotaNeeds, bandwidthOf, deviceName, type LabPlan, type LabPort } from './plan.js';
export { nodeView, type NodeView, type PortView } from './node-view.js';
export { seedOrReconcile, type Drift, type StartReport } from './seed.js';
export { addService, findService, removeService, type ServiceEntry } from './services-entry.js';
export { dxCall, type DxCallResult } from './client.js';
export { LAB_API_SERVICE, LAB_API_BASE_PORT, LAB_API_STORE, LAB_POLL_MS, DRIFT_TAG } from './constants.js';
