/**
 * 8 secured links at once (root; `npm run bench:scale` runs 32 and times
 * them): a generated topology of 8 router--DX links, 16 node processes, all
 * secured, a ping across each link, and `dxlab down` leaving nothing. A test
 * of correctness, not of time: the bound on securing is loose.
 */
import { describe, expect, it } from 'vitest';
import { runScale } from '../faults/scale.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('8 links at once', () => {
  it('every port secured, a ping across every link, nothing left after down', async () => {
    const r = await runScale(8, { log: (l) => process.stderr.write(`scale: ${l}\n`) });
    expect(r.nodes).toBe(16);
    expect(r.pinged).toBe(8);
    expect(r.left).toEqual([]);
    process.stderr.write(`scale: RSS per node ${Math.round(r.rssKb.min / 1024)} to ${Math.round(r.rssKb.max / 1024)} MB\n`);
  }, 600_000);
});
