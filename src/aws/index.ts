/**
 * The AWS side of the rehearsal: AWS Direct Connect and Secrets Manager in
 * AWS JSON 1.1 over HTTP, for the real AWS CLI and SDKs, with state in one
 * SQLite file. The service talks to the data plane through a
 * {@link DxPortBinding}; without a lab, connections are API state only.
 *
 * @example
 * const api = await startApiServer({ store: openStore('/tmp/api.sqlite'), port: 4566 });
 * // aws directconnect create-connection --location IAD66 --bandwidth 10Gbps \
 * //   --connection-name "MACsec connection" --request-mac-sec --endpoint-url http://127.0.0.1:4566
 * await api.close();
 */
export { startApiServer, createRequestHandler, type ApiServerOptions, type RunningApiServer, type RawRequest, type Handled } from './server.js';
export { createApiService, type ApiService, type ApiServiceOptions, type ApiCall, type ApiResult } from './service.js';
export { openStore, type ApiStore } from './store.js';
export {
  apiStateOnlyBinding,
  DEFAULT_LOCATIONS,
  type DxPortBinding,
  type DataPlaneChange,
  type DxPortConfig,
  type DxVifConfig,
  type LocationSpec,
  type PortEncryption,
} from './binding.js';
export { AwsServiceError, type AwsErrorCode } from './errors.js';
export { DEFAULT_API_HOST, DEFAULT_API_PORT, DEFAULT_ACCOUNT_ID, DEFAULT_REGION, DEFAULT_TIMINGS, DEFAULT_DX_QUOTAS, MAX_BODY_OCTETS, MAX_PRIVATE_VIFS_PER_CONNECTION, type ApiTimings, type DxQuotas } from './constants.js';
export { parseQuotaSettings, DX_QUOTA_NAMES } from './directconnect/quotas.js';
export { signature as sigv4Signature, canonicalRequest } from './sigv4.js';
export {
  labApiService,
  startLabApi,
  LabBinding,
  labPlan,
  labQuotaNeeds,
  addService,
  findService,
  removeService,
  dxCall,
  LAB_API_SERVICE,
  LAB_API_BASE_PORT,
  DRIFT_TAG,
  type RunningLabApi,
  type LabApiOptions,
  type LabApiService,
  type DxCallResult,
  type NodeControl,
  type WireControl,
  type LabPlan,
  type LabPort,
  type ServiceEntry,
  type StartReport,
} from './lab/index.js';
