/**
 * Phase timings of `dxlab up` and `dxlab down` (`--timings`): how many
 * milliseconds of wall-clock time each step took, in the order they ran, so
 * that a slow start or stop can be put down to its step (README, "Start-up
 * and teardown times") rather than guessed at.
 */

export interface PhaseTiming {
  phase: string;
  ms: number;
}

/** Laps of a stopwatch: each `lap(name)` ends the phase that began at the previous lap (or at the start). */
export class PhaseTimer {
  readonly phases: PhaseTiming[] = [];
  private last: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.last = now();
  }

  /** Ends the current phase under `name`. */
  lap(name: string): void {
    const t = this.now();
    this.phases.push({ phase: name, ms: Math.round(t - this.last) });
    this.last = t;
  }

  /** A phase measured elsewhere (the supervisor's, a node's), recorded as it is; the current phase goes on. */
  add(name: string, ms: number): void {
    this.phases.push({ phase: name, ms: Math.round(ms) });
  }
}

/** The timings as lines of text: `  <ms> ms  <phase>`, milliseconds right-aligned. */
export function formatTimings(phases: readonly PhaseTiming[]): string[] {
  const w = Math.max(1, ...phases.map((p) => String(p.ms).length));
  return phases.map((p) => `${String(p.ms).padStart(w)} ms  ${p.phase}`);
}
