/**
 * The control socket's commands of an in-path node, checked field by field:
 * - `{"cmd":"provider"}`: the provider's settings and counters;
 *   `{"cmd":"provider","knob":K,"value":V}` changes one knob live;
 * - `{"cmd":"attack","action":A, ...}` runs an attacker's action (attacker.ts),
 *   with `from` naming the neighbour whose frames it takes (default both),
 *   and the action's options: `mkpdu`, `percent`, `ms`, `count`, `where`,
 *   `type`, `kind`, `reset`, `last`.
 * A bad field is a `badRequest` naming it; nothing changes then.
 */
import { ATTACK_ACTIONS, type AttackAction, type AttackRequest } from './attacker.js';
import { NodeError } from './errors.js';
import type { LabNode } from './node.js';

type Request = Record<string, unknown>;

const CHOICES: Record<string, readonly string[]> = {
  where: ['sectag', 'payload', 'icv'],
  type: ['arp', 'ipv4'],
};
const KINDS: Partial<Record<AttackAction, readonly string[]>> = {
  'inject-forged': ['unknown-sci', 'wrong-an', 'stale-pn'],
  'forge-mkpdu': ['wrong-icv', 'unknown-ckn', 'old-mn'],
};

function bad(msg: string): never {
  throw new NodeError('badRequest', msg);
}

function num(req: Request, field: string, min: number, max: number, integer = false): number | undefined {
  const v = req[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) bad(`'${field}' must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** @throws NodeError('badRequest') naming the field. */
export function inPathRequest(n: LabNode, req: Request): unknown {
  const ip = n.inPath ?? bad(`node ${n.config.name} is a ${n.config.kind}, not a provider or an attacker`);
  if (req.cmd === 'provider') {
    if (req.knob === undefined) return { ...ip.status(), counters: ip.counters() };
    if (typeof req.knob !== 'string') bad(`'knob' must be a string`);
    const r = ip.setProviderKnob(req.knob, req.value);
    n.log.info('provider knob set', r);
    return r;
  }
  const action = req.action;
  if (typeof action !== 'string' || !(ATTACK_ACTIONS as readonly string[]).includes(action)) bad(`'action' must be one of ${ATTACK_ACTIONS.join(', ')}, got ${JSON.stringify(action)}`);
  const a = action as AttackAction;
  const out: AttackRequest = { action: a };
  if (req.from !== undefined) {
    if (typeof req.from !== 'string') bad(`'from' must be a node name`);
    out.from = ip.sideOf(req.from);
  }
  for (const f of ['mkpdu', 'reset'] as const) {
    if (req[f] === undefined) continue;
    if (typeof req[f] !== 'boolean') bad(`'${f}' must be true or false`);
    out[f] = req[f] as boolean;
  }
  const percent = num(req, 'percent', 0, 100);
  if (percent !== undefined) out.percent = percent;
  const ms = num(req, 'ms', 0, 60_000);
  if (ms !== undefined) out.ms = ms;
  const count = num(req, 'count', 1, 1000, true);
  if (count !== undefined) out.count = count;
  const last = num(req, 'last', 0, 1000, true);
  if (last !== undefined) out.last = last;
  for (const [f, values] of Object.entries(CHOICES)) {
    if (req[f] === undefined) continue;
    if (!values.includes(req[f] as string)) bad(`'${f}' must be one of ${values.join(', ')}, got ${JSON.stringify(req[f])}`);
    (out as unknown as Record<string, unknown>)[f] = req[f];
  }
  if (req.kind !== undefined) {
    const kinds = KINDS[a] ?? bad(`'kind' belongs to inject-forged and forge-mkpdu, not ${a}`);
    if (!kinds.includes(req.kind as string)) bad(`'kind' of ${a} must be one of ${kinds.join(', ')}, got ${JSON.stringify(req.kind)}`);
    out.kind = req.kind as AttackRequest['kind'];
  }
  if (a === 'delay' && out.ms === undefined) bad(`delay needs 'ms'`);
  const r = ip.attack(out);
  n.log.info('attack', { action: a, touched: r.touched, ...(req.from ? { from: req.from } : {}) });
  return r;
}
