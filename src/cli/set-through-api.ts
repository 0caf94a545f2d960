/**
 * `dxlab set` on a DX device's key chain or mode: AWS's side of a lab
 * belongs to the lab's AWS API, so the change goes through it (HTTP to the
 * lab's 'api' service, found in the state's `services`), and its rules (V3:
 * 64-hex CKN and CAK, V6, V7: three keys, V10) and stored secrets apply; the
 * API then pushes it to the node, and DescribeConnections shows it. The two
 * never disagree. PORT may name a LAG of the DX device: the change is then
 * made on its API LAG (UpdateLag, AssociateMacSecKey / DisassociateMacSecKey
 * with the lagId), which reaches every member on the node in one operation.
 */
import { LAB_API_SERVICE, dxCall, findService, type DxCallResult } from '../aws/index.js';
import { processAlive, type LabState } from '../lab/index.js';
import { CliError } from './errors.js';

export type ApiSetRequest = { what: 'mode'; mode: string } | { what: 'keyAdd'; ckn: string; cak: string } | { what: 'keyRemove'; ckn: string };

export interface ApiSetResult {
  /** The connection (or its LAG) the port is. */
  resource: string;
  operation: string;
  url: string;
  from?: string;
  mode?: string;
  /** CKNs of the key chain after the change, oldest first (lower case, as the rest of dxlab writes them). */
  keyChain?: string[];
}

const PORT_TAG = 'dxlab:port';

async function call(url: string, lab: string, operation: string, body: Record<string, unknown>): Promise<Record<string, any>> {
  let r: DxCallResult;
  try {
    r = await dxCall(url, operation, body);
  } catch (e) {
    throw new CliError('failed', `lab ${lab}: its AWS API at ${url} does not answer (${(e as Error).message}): is it running? (dxlab status)`, { cause: e });
  }
  // The API's refusal, in its own words (it names the field and never repeats a CAK).
  if (!r.ok) throw new CliError(r.code === 'DirectConnectClientException' ? 'usage' : 'failed', `AWS API: ${operation}: ${r.message}`);
  return r.output;
}

/**
 * Runs the change through the lab's API.
 * @throws CliError('failed') when the lab has no API, or no connection is bound to the port;
 *   CliError('usage') when the API refuses the change.
 */
export async function setThroughApi(state: LabState, node: string, port: string, req: ApiSetRequest): Promise<ApiSetResult> {
  const lab = state.lab;
  const entry = findService(lab, LAB_API_SERVICE);
  if (!entry || !processAlive(entry.pid)) {
    throw new CliError(
      'failed',
      `lab ${lab} has no AWS API running: the key chain and mode of DX device ${node} belong to it (start it: dxlab api serve --lab ${lab}), so that its rules and stored secrets apply`,
    );
  }
  const id = `${node}:${port}`;
  const lowerCkns = (keys: Array<{ ckn: string }> | undefined) => (keys ?? []).map((k) => k.ckn.toLowerCase());
  const tagged = (x: Record<string, any>) => (x.tags as Array<{ key: string; value?: string }> | undefined)?.some((t) => t.key === PORT_TAG && t.value === id);
  const lag = ((await call(entry.url, lab, 'DescribeLags', {})).lags as Array<Record<string, any>>).find((l) => l.lagState !== 'deleted' && tagged(l));
  if (lag) return setLagThroughApi(entry.url, lab, id, lag, req, lowerCkns);
  const all = (await call(entry.url, lab, 'DescribeConnections', {})).connections as Array<Record<string, any>>;
  const c = all.find((x) => x.connectionState !== 'deleted' && x.connectionState !== 'deleting' && tagged(x));
  if (!c) throw new CliError('failed', `lab ${lab}: no connection is on ${id} (a free port: aws directconnect create-connection takes it)`);
  const resource = (c.lagId as string | undefined) ?? (c.connectionId as string);
  if (req.what === 'mode') {
    const operation = c.lagId ? 'UpdateLag' : 'UpdateConnection';
    const out = await call(entry.url, lab, operation, c.lagId ? { lagId: c.lagId, encryptionMode: req.mode } : { connectionId: c.connectionId, encryptionMode: req.mode });
    return { resource, operation, url: entry.url, from: String(c.encryptionMode), mode: String(out.encryptionMode) };
  }
  if (req.what === 'keyAdd') {
    const out = await call(entry.url, lab, 'AssociateMacSecKey', { connectionId: resource, ckn: req.ckn, cak: req.cak });
    return { resource, operation: 'AssociateMacSecKey', url: entry.url, keyChain: lowerCkns(out.macSecKeys) };
  }
  const key = (c.macSecKeys as Array<{ ckn: string; secretARN: string }> | undefined)?.find((k) => k.ckn.toLowerCase() === req.ckn.toLowerCase());
  if (!key) throw new CliError('usage', `${id} (${resource}): no CKN ${req.ckn.toLowerCase()} is associated (keys: ${lowerCkns(c.macSecKeys).join(', ') || 'none'})`);
  await call(entry.url, lab, 'DisassociateMacSecKey', { connectionId: resource, secretARN: key.secretARN });
  const after = (await call(entry.url, lab, 'DescribeConnections', { connectionId: c.connectionId })).connections[0] as Record<string, any>;
  return { resource, operation: 'DisassociateMacSecKey', url: entry.url, keyChain: lowerCkns(after?.macSecKeys) };
}

/** The change on a LAG of the lab (its API LAG, tagged with the LAG's `node:LAG`). */
async function setLagThroughApi(url: string, lab: string, id: string, lag: Record<string, any>, req: ApiSetRequest, lowerCkns: (keys: Array<{ ckn: string }> | undefined) => string[]): Promise<ApiSetResult> {
  const lagId = String(lag.lagId);
  if (req.what === 'mode') {
    const out = await call(url, lab, 'UpdateLag', { lagId, encryptionMode: req.mode });
    return { resource: lagId, operation: 'UpdateLag', url, from: String(lag.encryptionMode), mode: String(out.encryptionMode) };
  }
  if (req.what === 'keyAdd') {
    const out = await call(url, lab, 'AssociateMacSecKey', { connectionId: lagId, ckn: req.ckn, cak: req.cak });
    return { resource: lagId, operation: 'AssociateMacSecKey', url, keyChain: lowerCkns(out.macSecKeys) };
  }
  const key = (lag.macSecKeys as Array<{ ckn: string; secretARN: string }> | undefined)?.find((k) => k.ckn.toLowerCase() === req.ckn.toLowerCase());
  if (!key) throw new CliError('usage', `${id} (${lagId}): no CKN ${req.ckn.toLowerCase()} is associated (keys: ${lowerCkns(lag.macSecKeys).join(', ') || 'none'})`);
  await call(url, lab, 'DisassociateMacSecKey', { connectionId: lagId, secretARN: key.secretARN });
  const after = (await call(url, lab, 'DescribeLags', { lagId })).lags[0] as Record<string, any>;
  return { resource: lagId, operation: 'DisassociateMacSecKey', url, keyChain: lowerCkns(after?.macSecKeys) };
}
