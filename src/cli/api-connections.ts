/**
 * The connections of a lab's AWS API, for the web view: DescribeConnections
 * on the lab's 'api' service (found in its state's `services`), or null when
 * the lab hosts none. The web view copies named fields only (view.ts
 * connectionView): state, encryptionMode, macSecKeys' CKN and state.
 */
import { LAB_API_SERVICE, dxCall, findService } from '../aws/index.js';
import { processAlive, type LabState } from '../lab/index.js';

/** How long the API has to answer before this poll shows no connection. */
const API_TIMEOUT_MS = 2000;

export async function apiConnections(state: LabState): Promise<unknown[] | null> {
  const entry = findService(state.lab, LAB_API_SERVICE);
  if (!entry || !processAlive(entry.pid)) return null;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), API_TIMEOUT_MS)));
  try {
    const r = await Promise.race([dxCall(entry.url, 'DescribeConnections', {}), late]);
    return r && r.ok && Array.isArray(r.output.connections) ? (r.output.connections as unknown[]) : null;
  } finally {
    clearTimeout(timer);
  }
}
