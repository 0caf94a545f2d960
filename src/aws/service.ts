/**
 * Both services behind one call, without HTTP: the operation's input read
 * against its shape, the backend run in one store transaction (after the
 * timed changes that are due), the data-plane changes pushed to the binding
 * once committed, and every failure turned into the AwsServiceError the
 * client will see. server.ts puts HTTP in front; tests call it in-process.
 *
 * @example
 * const api = createApiService({ store: openStore(':memory:') });
 * const r = await api.call({ service: 'directconnect', operation: 'DescribeLocations', body: {} });
 */
import { randomBytes } from 'node:crypto';
import { apiStateOnlyBinding, type DxPortBinding } from './binding.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, DEFAULT_TIMINGS, type ApiTimings, type DxQuotas } from './constants.js';
import type { RequestContext } from './context.js';
import { DirectConnectCore } from './directconnect/backend.js';
import { DIRECT_CONNECT_OPERATIONS } from './directconnect/handlers.js';
import { dxQuotas } from './directconnect/quotas.js';
import { AwsServiceError, dxClientError } from './errors.js';
import { uuid, type RandomSource } from './ids.js';
import type { Operation } from './operation.js';
import type { ServiceName } from './protocol.js';
import { SecretsBackend } from './secretsmanager/backend.js';
import { SECRETS_MANAGER_OPERATIONS } from './secretsmanager/handlers.js';
import { readInput, ShapeError } from './shape.js';
import type { ApiStore } from './store.js';

export interface ApiServiceOptions {
  store: ApiStore;
  /** @default apiStateOnlyBinding(): no lab, connections are API state only */
  binding?: DxPortBinding;
  /** Epoch ms. @default Date.now */
  clock?: () => number;
  /** @default crypto.randomBytes */
  random?: RandomSource;
  /** @default DEFAULT_ACCOUNT_ID ('123456789012') */
  accountId?: string;
  /** The region of an unsigned request. @default 'us-east-1' */
  defaultRegion?: string;
  /** @default DEFAULT_TIMINGS */
  timings?: Partial<ApiTimings>;
  /** Direct Connect's quotas raised (or lowered) from AWS's defaults (src/aws/directconnect/quotas.ts). @default DEFAULT_DX_QUOTAS */
  quotas?: Partial<DxQuotas>;
  /** One line per event worth telling (a failed data-plane push, a server fault). @default nothing */
  log?: (line: string) => void;
}

export interface ApiCall {
  service: ServiceName;
  operation: string;
  /** The decoded JSON body. */
  body: unknown;
  /** @default the service's default region */
  region?: string;
  /** @default a fresh UUID */
  requestId?: string;
}

export type ApiResult = { ok: true; output: unknown; requestId: string } | { ok: false; error: AwsServiceError; requestId: string };

export interface ApiService {
  call(request: ApiCall): Promise<ApiResult>;
  readonly store: ApiStore;
  readonly binding: DxPortBinding;
  readonly accountId: string;
  readonly defaultRegion: string;
  /**
   * Runs `fn` on Direct Connect's core in one store transaction, as a
   * request runs, and pushes its data-plane changes after the commit: for
   * what the service does by itself (seeding a lab's ports, reconciliation:
   * src/aws/lab/), never for a client.
   */
  transact<T>(fn: (dx: DirectConnectCore, ctx: RequestContext) => T, region?: string): Promise<T>;
}

export function createApiService(options: ApiServiceOptions): ApiService {
  const store = options.store;
  const binding = options.binding ?? apiStateOnlyBinding();
  const clock = options.clock ?? Date.now;
  const random = options.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const defaultRegion = options.defaultRegion ?? DEFAULT_REGION;
  const timings: ApiTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  const log = options.log ?? (() => {});
  const deps = { store, random };
  const secrets = new SecretsBackend(deps);
  const dx = new DirectConnectCore(deps, binding, timings, secrets, dxQuotas(options.quotas));
  secrets.setHooks({ deletionScheduled: (doc, ctx) => dx.secretDeletionScheduled(doc, ctx), restored: (doc, ctx) => dx.secretRestored(doc, ctx) });

  function operationOf(service: ServiceName, name: string): Operation<never> | undefined {
    const table = (service === 'directconnect' ? DIRECT_CONNECT_OPERATIONS : SECRETS_MANAGER_OPERATIONS) as Readonly<Record<string, Operation<never>>>;
    return Object.hasOwn(table, name) ? table[name] : undefined;
  }

  function asServiceError(service: ServiceName, e: unknown, requestId: string): AwsServiceError {
    if (e instanceof AwsServiceError) return e;
    if (e instanceof ShapeError) {
      if (e.kind === 'type') return new AwsServiceError('SerializationException', e.message);
      return service === 'directconnect' ? dxClientError(e.message) : new AwsServiceError('ValidationException', e.message);
    }
    // A fault of ours (or of the store): a 5xx, as AWS gives; the detail goes to the log, not to the client.
    log(`api fault request=${requestId} error=${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`);
    return service === 'directconnect'
      ? new AwsServiceError('DirectConnectServerException', `An internal error occurred (request ${requestId}).`, 500, 'directconnect', { cause: e })
      : new AwsServiceError('InternalServiceError', `An internal error occurred (request ${requestId}).`, 500, 'secretsmanager', { cause: e });
  }

  async function push(ctx: RequestContext): Promise<void> {
    if (!ctx.changes.length) return;
    try {
      await binding.apply(ctx.changes);
    } catch (e) {
      log(`api data-plane push failed request=${ctx.requestId}: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  return {
    store,
    binding,
    accountId,
    defaultRegion,
    async transact<T>(fn: (dx: DirectConnectCore, ctx: RequestContext) => T, region?: string): Promise<T> {
      const ctx: RequestContext = { region: region ?? defaultRegion, accountId, now: clock(), requestId: uuid(random), changes: [] };
      const out = store.tx(() => {
        dx.advance(ctx);
        return fn(dx, ctx);
      });
      await push(ctx);
      return out;
    },
    async call(request: ApiCall): Promise<ApiResult> {
      const requestId = request.requestId ?? uuid(random);
      const operation = operationOf(request.service, request.operation);
      if (!operation) return { ok: false, requestId, error: new AwsServiceError('UnknownOperationException', `Unknown operation ${request.operation}`) };
      const ctx: RequestContext = { region: request.region ?? defaultRegion, accountId, now: clock(), requestId, changes: [] };
      let output: unknown;
      try {
        const input = readInput(operation.input, request.body);
        output = store.tx(() => {
          dx.advance(ctx);
          return request.service === 'directconnect' ? operation.run(dx as never, input as never, ctx) : operation.run(secrets as never, input as never, ctx);
        });
      } catch (e) {
        return { ok: false, requestId, error: asServiceError(request.service, e, requestId) };
      }
      await push(ctx);
      return { ok: true, requestId, output };
    },
  };
}
