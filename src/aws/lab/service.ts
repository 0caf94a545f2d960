/**
 * The AWS API as a service of a running lab (contract §1, the supervisor's
 * `LabService`): its store in the lab's folder (`api.sqlite`, mode 0600),
 * the binding to the lab's DX devices, seeding or reconciliation at start,
 * and the snapshot poller.
 *
 * The context and service shapes are the supervisor's (src/lab/services.ts).
 *
 * @example
 * const running = await labApiService().start({ lab: 'rdx', labDir: '/run/dxlab/rdx', host: '127.0.0.1', port: 4566, state: () => readLabState('rdx')!, log: console.error });
 * // aws directconnect describe-connections --endpoint-url running.url
 * await running.stop();
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabService, LabServiceContext, LabState, RunningLabService } from '../../lab/index.js';
import { startApiServer, type RunningApiServer } from '../server.js';
import { openStore } from '../store.js';
import type { ApiTimings, DxQuotas } from '../constants.js';
import { LAB_API_BASE_PORT, LAB_API_SERVICE, LAB_API_STORE, LAB_POLL_MS } from './constants.js';
import { LabBinding, type NodeControl, type WireControl } from './lab-binding.js';
import { labPlan } from './plan.js';
import { pushNodeState } from './reprovision.js';
import { seedOrReconcile, type StartReport } from './seed.js';

/** The running API of a lab, with what tests and `dxlab api serve --lab` look at. */
export interface RunningLabApi extends RunningLabService {
  server: RunningApiServer;
  binding: LabBinding;
  /** What the start found: the ports seeded, or the drift reconciliation reported. */
  report: StartReport;
}

export interface LabApiOptions {
  /** @default LAB_POLL_MS */
  pollMs?: number;
  control?: NodeControl;
  wires?: WireControl;
  /** Log every request on the context's log. @default false */
  requestLog?: boolean;
  /** How long AWS's own steps take (a VIF `pending`, a key `associating`). @default DEFAULT_TIMINGS */
  timings?: Partial<ApiTimings>;
  /**
   * Direct Connect's quotas (`dxlab api serve --lab L --quota`). Whatever
   * they say, the lab's own ports and LAGs fit: the binding raises each to
   * what the lab needs (labQuotaNeeds). @default DEFAULT_DX_QUOTAS
   */
  quotas?: Partial<DxQuotas>;
}

/** The supervisor's entry for the AWS API: name 'api', first port 4566. */
export interface LabApiService extends LabService {
  start(ctx: LabServiceContext): Promise<RunningLabApi>;
}

export function labApiService(options: LabApiOptions = {}): LabApiService {
  return {
    name: LAB_API_SERVICE,
    basePort: LAB_API_BASE_PORT,
    start: (ctx) => startLabApi(ctx, options),
  };
}

/**
 * Starts the API bound to the lab.
 * @throws Error when the lab's DX node configurations or key files cannot be read, or the port cannot be listened on.
 */
export async function startLabApi(ctx: LabServiceContext, options: LabApiOptions = {}): Promise<RunningLabApi> {
  const plan = labPlan(ctx.state(), (f) => readFileSync(f, 'utf8'));
  const binding = new LabBinding({ plan, log: ctx.log, ...(options.control && { control: options.control }), ...(options.wires && { wires: options.wires }) });
  const file = join(ctx.labDir, LAB_API_STORE);
  const store = openStore(file);
  // It holds the CAKs of Direct Connect's secrets: root's alone, also when an older file was looser.
  chmodSync(file, 0o600);
  let server: RunningApiServer;
  try {
    await binding.refresh();
    server = await startApiServer({
      store,
      binding,
      host: ctx.host,
      port: ctx.port,
      log: ctx.log,
      ...(options.timings && { timings: options.timings }),
      ...(options.quotas && { quotas: options.quotas }),
      ...(options.requestLog && { requestLog: ctx.log }),
    });
  } catch (e) {
    store.close();
    throw e;
  }
  const report = await seedOrReconcile(server.service, binding, ctx.log);
  binding.onNodeRestart((node) => {
    server.service
      .transact((dx, c) => pushNodeState(dx, c, binding.plan, node), binding.plan.region)
      .then((pushed) => ctx.log(`lab ${ctx.lab}: DX node ${node}: the API's state pushed again (${pushed.join(', ') || 'nothing bound'})`))
      .catch((e: Error) => ctx.log(`lab ${ctx.lab}: DX node ${node}: the API's state not pushed again: ${e.message}`));
  });
  binding.start(options.pollMs ?? LAB_POLL_MS);
  ctx.log(`lab ${ctx.lab}: AWS API on ${server.url} (${binding.description})`);
  return {
    url: server.url,
    server,
    binding,
    report,
    async stop() {
      binding.stop();
      await binding.settled();
      await server.close();
      store.close();
    },
  };
}
