/**
 * The fuzz harness: one target per parser a user's input reaches (frames,
 * MKPDUs, BGP messages, capture files, topologies, node configurations,
 * control-socket lines, API requests). A target gives seeds taken from real
 * captures and vectors plus the grammar's edge cases, a structure-aware
 * mutator, and a `feed` that hands one input to the real code and names the
 * outcome: the counter that moved, the NOTIFICATION sent, the error code a
 * file or request was refused with. Anything else is a finding: a throw the
 * target does not expect (a crash), an input that took more than 100 ms of
 * CPU (a hang: CPU time, not wall time, since the machine is shared), or a
 * feed that moved no counter or more than one (a miscount).
 *
 * `npm run fuzz` (bench/fuzz.ts) runs a target for as many inputs as asked;
 * the unit suite (test/unit/fuzz/) runs 20,000 per target and replays every
 * input saved under test/fixtures/malformed/<target>/.
 */
import { seededRandom } from '../helpers/random.js';

export type Rand = () => number;

/** A finding: the input, what went wrong, and the input's position in the run. */
export interface Finding {
  kind: 'crash' | 'hang' | 'miscount';
  index: number;
  detail: string;
  input: Uint8Array;
}

/** What the harness needs from a running system under test. */
export interface FuzzSession {
  /**
   * Hands one input to the code under test.
   * @returns the outcome's name; throws only on a finding
   *   ({@link Miscount} when the counters do not add up).
   */
  feed(input: Uint8Array): string | Promise<string>;
  /** Releases what setup made (sockets, nodes, files). */
  close?(): void | Promise<void>;
}

export interface FuzzTarget {
  readonly name: string;
  /** One line: what is fed through what. */
  readonly about: string;
  /** Real inputs (captures, vectors) and the grammar's edge cases; called after setup(). */
  seeds(): Uint8Array[];
  /** One mutated input from a seed. */
  mutate(seed: Uint8Array, rand: Rand): Uint8Array;
  /** Builds the system under test once per run. */
  setup(): FuzzSession | Promise<FuzzSession>;
}

/** Thrown by a feed whose counters do not account for the input exactly once. */
export class Miscount extends Error {}

export interface FuzzReport {
  target: string;
  inputs: number;
  seconds: number;
  perSecond: number;
  /** The process's CPU time over the run (all threads), s: inputs per CPU second does not depend on the machine's load. */
  cpuSeconds: number;
  /** How many inputs ended in each outcome. */
  outcomes: Record<string, number>;
  findings: Finding[];
  /** The largest CPU time one input took, ms. */
  maxCpuMs: number;
  /** The inputs that took the most CPU, most first (as many as `slowest` asked; the CPU as for maxCpuMs). */
  slowest: SlowInput[];
}

/** One of the slowest inputs of a run: where it came, the CPU it took, and the input. */
export interface SlowInput {
  index: number;
  cpuMs: number;
  input: Uint8Array;
}

/** Keeps the `n` slowest inputs seen, most CPU first. */
function keepSlowest(list: SlowInput[], n: number, s: SlowInput): void {
  if (n <= 0 || (list.length >= n && list[list.length - 1]!.cpuMs >= s.cpuMs)) return;
  let at = list.findIndex((x) => x.cpuMs < s.cpuMs);
  if (at < 0) at = list.length;
  list.splice(at, 0, s);
  if (list.length > n) list.pop();
}

/** More than this much CPU for one input is a hang. */
export const HANG_CPU_MS = 100;

/**
 * Runs `count` mutated inputs (seeds included first, as they are) through a
 * fresh session of the target. Deterministic for a seed. `slowest`: how
 * many of the inputs that took the most CPU to report (0 by default).
 */
export async function runTarget(target: FuzzTarget, count: number, seed = 1, options: { slowest?: number } = {}): Promise<FuzzReport> {
  // Setup first: a target's seeds may name what its setup made (the API's resource IDs).
  const session = await target.setup();
  const seeds = target.seeds();
  if (!seeds.length) throw new Error(`fuzz target ${target.name} has no seeds`);
  const rand = seededRandom(seed);
  const outcomes: Record<string, number> = {};
  const findings: Finding[] = [];
  let maxCpuMs = 0;
  const slowest: SlowInput[] = [];
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  try {
    for (let i = 0; i < count; i++) {
      const input = i < seeds.length ? seeds[i]! : target.mutate(seeds[Math.floor(rand() * seeds.length)]!, rand);
      const r = await feedOne(session, input);
      if ('outcome' in r) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      else findings.push({ kind: r.kind, index: i, detail: r.detail, input });
      const cpuMs = r.cpuMs > HANG_CPU_MS ? await leastCpuMs(session, input, r.cpuMs) : r.cpuMs;
      maxCpuMs = Math.max(maxCpuMs, cpuMs);
      keepSlowest(slowest, options.slowest ?? 0, { index: i, cpuMs, input });
      if (cpuMs > HANG_CPU_MS) findings.push({ kind: 'hang', index: i, detail: `${cpuMs.toFixed(1)} ms of CPU (the least of ${HANG_REMEASURES + 1} feeds)`, input });
    }
  } finally {
    await session.close?.();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return { target: target.name, inputs: count, seconds, perSecond: count / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, outcomes, findings, maxCpuMs, slowest };
}

/**
 * How often an input over the limit is fed again before it counts as a hang.
 * process.cpuUsage() is the whole process's CPU, V8's garbage-collector
 * threads included, so a collection that falls within one feed is charged to
 * that input; an input that really hangs takes the time on every feed. The
 * feeds made to measure again are not counted among the outcomes.
 */
const HANG_REMEASURES = 2;

async function leastCpuMs(session: FuzzSession, input: Uint8Array, first: number): Promise<number> {
  let least = first;
  for (let k = 0; k < HANG_REMEASURES && least > HANG_CPU_MS; k++) least = Math.min(least, (await feedOne(session, input)).cpuMs);
  return least;
}

/** One input: its outcome or its finding, and the CPU it took. */
export async function feedOne(session: FuzzSession, input: Uint8Array): Promise<({ outcome: string } | { kind: 'crash' | 'miscount'; detail: string }) & { cpuMs: number }> {
  const before = process.cpuUsage();
  let result: { outcome: string } | { kind: 'crash' | 'miscount'; detail: string };
  try {
    result = { outcome: await session.feed(input) };
  } catch (e) {
    result = { kind: e instanceof Miscount ? 'miscount' : 'crash', detail: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) };
  }
  const used = process.cpuUsage(before);
  return { ...result, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * The outcome of a feed that should move exactly one of `counters`: the name
 * of the one that moved.
 * @throws Miscount when none or several moved.
 */
export function oneCounterMoved<T extends Record<string, number | bigint>>(before: T, after: T, counters: ReadonlyArray<keyof T>): string {
  const moved = counters.filter((k) => Number(after[k]) !== Number(before[k]));
  const total = moved.reduce((s, k) => s + Number(after[k]) - Number(before[k]), 0);
  if (moved.length !== 1 || total !== 1) throw new Miscount(`counters moved: ${moved.map((k) => `${String(k)} +${Number(after[k]) - Number(before[k])}`).join(', ') || 'none'}`);
  return String(moved[0]);
}
