/**
 * A DX node that restarted gets the API's state again: every live
 * connection bound to one of its ports (a LAG member as its LAG, one
 * operation on the node's LAG), and every live VIF over them. AWS owns a
 * Direct Connect device's configuration and applies it again after the
 * device restarts; the lab's node starts from its configuration file, so
 * the binding (lab-binding.ts, onNodeRestart) asks for this push.
 */
import type { DirectConnectCore } from '../directconnect/backend.js';
import { GONE } from '../directconnect/backend.js';
import type { ConnectionDoc, LagDoc } from '../directconnect/model.js';
import type { RequestContext } from '../context.js';
import type { LabPlan } from './plan.js';

/**
 * Queues the desired state of what is bound on `node`'s ports.
 * @returns the connections and LAGs pushed, for the log.
 */
export function pushNodeState(dx: DirectConnectCore, ctx: RequestContext, plan: LabPlan, node: string): string[] {
  const ports = new Set(plan.ports.filter((p) => p.node === node).map((p) => p.id));
  const live = dx.store
    .list<ConnectionDoc>('connection', ctx.region)
    .map((r) => r.doc)
    .filter((c) => c.port !== undefined && ports.has(c.port) && !GONE.has(c.state));
  const pushed: string[] = [];
  const lags = new Set<string>();
  for (const c of live) {
    if (c.lagId !== undefined) lags.add(c.lagId);
    else {
      dx.pushPort(ctx, c);
      pushed.push(c.connectionId);
    }
  }
  for (const id of lags) {
    const l = dx.store.get<LagDoc>('lag', id);
    if (!l) continue;
    dx.pushLagPorts(ctx, l);
    pushed.push(id);
  }
  for (const holder of [...live.map((c) => c.connectionId), ...lags]) for (const v of dx.liveVifsOn(holder)) dx.pushVif(ctx, v);
  return pushed;
}
