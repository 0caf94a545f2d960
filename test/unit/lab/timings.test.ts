/** PhaseTimer and formatTimings (src/lab/timings.ts), on a manual clock. */
import { describe, expect, it } from 'vitest';
import { PhaseTimer, formatTimings } from '../../../src/lab/timings.js';

describe('PhaseTimer', () => {
  it('times each phase from the previous lap, and records phases measured elsewhere as given', () => {
    let now = 1000;
    const t = new PhaseTimer(() => now);
    now += 250.4;
    t.lap('namespaces (2)');
    t.add('supervisor: node dx: spawn to first answer', 1234.6);
    now += 40;
    t.lap('links (1)');
    expect(t.phases).toEqual([
      { phase: 'namespaces (2)', ms: 250 },
      { phase: 'supervisor: node dx: spawn to first answer', ms: 1235 },
      { phase: 'links (1)', ms: 40 },
    ]);
    expect(formatTimings(t.phases)).toEqual([' 250 ms  namespaces (2)', '1235 ms  supervisor: node dx: spawn to first answer', '  40 ms  links (1)']);
  });
});
