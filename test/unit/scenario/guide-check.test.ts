/**
 * The guide check's two halves (test/helpers/scenario-run.ts), which the
 * scenario CI runs use to compare a guide's quoted checks with a real run's:
 * which lines a guide quotes, and what of a line is deterministic.
 */
import { describe, expect, it } from 'vitest';
import { deterministic, quotedChecks } from '../../helpers/scenario-run.js';

describe('guide check', () => {
  it('keeps the check and any word it read, drops seconds and counts', () => {
    expect(deterministic('  PASS wait status dx eth1 secured = true: after 0.4 s')).toBe('PASS wait status dx eth1 secured = true: after … s');
    expect(deterministic('  PASS wait event dx eth1 fallbackToClear: after 1.1 s (security lost)')).toBe('PASS wait event dx eth1 fallbackToClear: after … s');
    expect(deterministic('  PASS expect counter dx eth1 inMkpdu moved: got 12 (+8 since the last action on dx eth1)')).toBe('PASS expect counter dx eth1 inMkpdu moved: got …');
    expect(deterministic('  PASS expect status dx eth1 controlledPort = "blocked": got "blocked"')).toBe('PASS expect status dx eth1 controlledPort = "blocked": got "blocked"');
    // A word that differs is a difference: the guide would be wrong.
    expect(deterministic('PASS expect status dx eth1 controlledPort = "blocked": got "clear"')).not.toBe(deterministic('PASS expect status dx eth1 controlledPort = "blocked": got "blocked"'));
  });

  it('takes PASS and FAIL lines from code blocks only', () => {
    const guide = ['Text with PASS in it', '```text', '  PASS expect bgp router Established: got Established', 'other', '```', '  PASS outside a block'].join('\n');
    expect(quotedChecks(guide)).toEqual(['PASS expect bgp router Established: got Established']);
  });
});
