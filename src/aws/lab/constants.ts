/** Constants of the API bound to a lab, with units in their names. */

/**
 * How often the binding asks the DX nodes for their state (link, MKA, BGP):
 * what DescribeConnections shows is at most this old. Half the fast MKA
 * profile's hello (0.5 s) would be finer, at twice the control-socket load.
 */
export const LAB_POLL_MS = 500;

/** The name a lab's AWS API service has among the lab's services (contract §1), and the first port it tries. */
export const LAB_API_SERVICE = 'api';
export const LAB_API_BASE_PORT = 4566;

/** The API's store in the lab's folder (root-only: it holds the CAKs of Direct Connect's secrets). */
export const LAB_API_STORE = 'api.sqlite';

/** The tag a connection whose port's key chain or mode changed while the API was down carries (reconciliation). */
export const DRIFT_TAG = 'dxlab:drift';
