/**
 * What the comment on `allocUninit` (src/shared/bytes.ts) relies on to leave
 * its slabs uncleared: no region is handed out twice, and every array starts
 * as zeros, never as the octets a previous owner wrote.
 */
import { describe, expect, it } from 'vitest';
import { allocUninit } from '../../../src/shared/bytes.js';

describe('allocUninit', () => {
  it('over several slabs: arrays never overlap and each starts as zeros though every earlier one was filled', () => {
    const seen = new Map<ArrayBufferLike, Array<[number, number]>>();
    let total = 0;
    for (let i = 0; total < 4 * 64 * 1024; i++) {
      const n = 1 + ((i * 977) % 1600);
      const a = allocUninit(n);
      expect(a.length).toBe(n);
      expect(a.every((x) => x === 0)).toBe(true);
      const spans = seen.get(a.buffer) ?? [];
      for (const [s, e] of spans) expect(a.byteOffset >= e || a.byteOffset + n <= s).toBe(true);
      spans.push([a.byteOffset, a.byteOffset + n]);
      seen.set(a.buffer, spans);
      a.fill(0xa5);
      total += n;
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });
});
