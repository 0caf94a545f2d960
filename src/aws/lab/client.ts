/**
 * A Direct Connect call to a lab's own API over HTTP (AWS JSON 1.1, unsigned:
 * the lab's API accepts any caller on loopback), for `dxlab set` on a DX
 * device, so that the API's rules (V3 and the rest) and its stored secrets
 * apply to a change made from the lab's side too.
 */
import { AMZ_JSON_1_1 } from '../constants.js';
import { TARGET_PREFIX } from '../protocol.js';

export type DxCallResult = { ok: true; output: Record<string, any> } | { ok: false; code: string; message: string };

/** @throws Error when the API cannot be reached (the caller names the lab). */
export async function dxCall(url: string, operation: string, body: Record<string, unknown>): Promise<DxCallResult> {
  const r = await fetch(`${url.replace(/\/$/, '')}/`, {
    method: 'POST',
    headers: { 'Content-Type': AMZ_JSON_1_1, 'X-Amz-Target': `${TARGET_PREFIX.directconnect}.${operation}` },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    /* not JSON: the status says what failed */
  }
  if (r.ok) return { ok: true, output: json };
  return { ok: false, code: String(json.__type ?? `HTTP ${r.status}`), message: String(json.message ?? json.Message ?? text.slice(0, 200)) };
}
