/**
 * What one request carries through both services' backends: who and where
 * it comes from, the time it is served at, and the data-plane changes it
 * makes (pushed to the binding after the transaction commits).
 */
import type { DataPlaneChange } from './binding.js';
import type { RandomSource } from './ids.js';
import type { ApiStore } from './store.js';

export interface RequestContext {
  /** The region of the request (its SigV4 credential scope, else the server's default). */
  region: string;
  accountId: string;
  /** Epoch ms at which the request is served (one value for the whole request). */
  now: number;
  requestId: string;
  /** Filled by the backends; pushed to the data plane once the transaction has committed. */
  changes: DataPlaneChange[];
}

/** What the backends are built from: the store, randomness (ids, keys of nothing) and nothing else. */
export interface BackendDeps {
  store: ApiStore;
  random: RandomSource;
}

/** Opaque pagination tokens: base64url of the last sequence number returned and what was listed. */
export function encodePageToken(list: string, seq: number): string {
  return Buffer.from(JSON.stringify({ l: list, s: seq })).toString('base64url');
}

/** The sequence number a token continues after, or undefined when it is not one of ours for `list`. */
export function decodePageToken(list: string, token: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { l?: unknown; s?: unknown };
    return v.l === list && typeof v.s === 'number' && Number.isSafeInteger(v.s) && v.s >= 0 ? v.s : undefined;
  } catch {
    return undefined;
  }
}

/** `YYYY-MM-DD hh:mm:ss` in UTC, the form of MacSecKey.startOn in the blog's output. */
export function utcDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** Epoch seconds, as AWS JSON writes timestamps. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
