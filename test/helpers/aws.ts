/**
 * The AWS API in-process for unit tests: an in-memory store, a manual clock,
 * seeded ids, and helpers that call an operation and check that a rejected
 * one left the store exactly as it was.
 */
import { expect } from 'vitest';
import { createApiService, openStore, type ApiResult, type ApiService, type DxPortBinding } from '../../src/aws/index.js';
import type { ApiTimings, DxQuotas } from '../../src/aws/constants.js';
import { seededOctets } from './random.js';

/** 2026-01-01T00:00:00Z */
export const T0 = Date.UTC(2026, 0, 1);

export const CKN1 = '1'.repeat(64);
export const CAK1 = 'a1'.repeat(32);
export const CKN2 = '2'.repeat(64);
export const CAK2 = 'b2'.repeat(32);
export const CKN3 = '3'.repeat(64);
export const CAK3 = 'c3'.repeat(32);
export const CKN4 = '4'.repeat(64);
export const CAK4 = 'd4'.repeat(32);

export interface TestApi {
  api: ApiService;
  /** Moves the clock on. */
  advance(ms: number): void;
  now(): number;
  call(service: 'directconnect' | 'secretsmanager', operation: string, body: unknown, region?: string): Promise<ApiResult>;
  /** A Direct Connect call that must succeed; its output. */
  dx<T = Record<string, any>>(operation: string, body?: unknown): Promise<T>;
  sm<T = Record<string, any>>(operation: string, body?: unknown): Promise<T>;
  /** A call that must fail with `code` (and `message` matching, if given) and change nothing in the store. */
  rejects(service: 'directconnect' | 'secretsmanager', operation: string, body: unknown, code: string, message?: RegExp): Promise<string>;
  snapshot(): string;
  close(): void;
}

export function testApi(options: { timings?: Partial<ApiTimings>; binding?: DxPortBinding; seed?: number; quotas?: Partial<DxQuotas> } = {}): TestApi {
  let now = T0;
  const store = openStore(':memory:');
  const api = createApiService({
    store,
    clock: () => now,
    random: seededOctets(options.seed ?? 7),
    timings: { requestedMs: 1000, pendingMs: 1000, vifPendingMs: 1000, keyAssociatingMs: 0, vifDeletingMs: 0, ...options.timings },
    ...(options.binding && { binding: options.binding }),
    ...(options.quotas && { quotas: options.quotas }),
  });
  const snapshot = () => JSON.stringify(store.dump());
  const call = (service: 'directconnect' | 'secretsmanager', operation: string, body: unknown, region?: string) =>
    api.call({ service, operation, body, ...(region && { region }) });
  const must = async (service: 'directconnect' | 'secretsmanager', operation: string, body: unknown) => {
    const r = await call(service, operation, body);
    if (!r.ok) throw new Error(`${operation} failed: ${r.error.code}: ${r.error.message}`);
    return r.output as any;
  };
  return {
    api,
    advance: (ms) => (now += ms),
    now: () => now,
    call,
    dx: (operation, body = {}) => must('directconnect', operation, body),
    sm: (operation, body = {}) => must('secretsmanager', operation, body),
    async rejects(service, operation, body, code, message) {
      // Timed changes due now are applied first, as by any request; then the rejected one must change nothing.
      await call(service, 'directconnect' === service ? 'DescribeLocations' : 'ListSecrets', {});
      const before = snapshot();
      const r = await call(service, operation, body);
      expect(r.ok, `${operation} should fail with ${code}`).toBe(false);
      if (r.ok) return '';
      expect(r.error.code, r.error.message).toBe(code);
      if (message) expect(r.error.message).toMatch(message);
      expect(snapshot()).toBe(before);
      return r.error.message;
    },
    snapshot,
    close: () => store.close(),
  };
}
