import { expect } from 'vitest';
import { LabError, parseTopology } from '../../src/lab/index.js';

/** The LabError a topology text is refused with (fails the test when it is taken). */
export function topologyError(text: string): LabError {
  try {
    parseTopology(text, 'x.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return e as LabError;
  }
  throw new Error('the topology was taken');
}
