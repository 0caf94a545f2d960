/**
 * The provider's forwarding, frame by frame with a manual clock and a
 * scripted PRNG: which destination addresses each mode filters (802.1Q's
 * S-VLAN component table for provider-bridge), the MTU, loss, latency with
 * jitter, reordering through the delay line, S-tags pushed into the
 * provider's network and popped towards a customer, and knob checks.
 */
import { describe, expect, it } from 'vitest';
import { DelayLine } from '../../../src/node/delay-line.js';
import { ProviderPath, checkProviderKnob, providerFilters, pushSTag, sTagVid } from '../../../src/node/provider.js';

const frame = (da: number[], len = 64, et = 0x88e5) => {
  const f = new Uint8Array(len);
  f.set(da, 0);
  f.set([2, 0, 0, 0, 0, 1], 6);
  f[12] = et >> 8;
  f[13] = et & 0xff;
  return f;
};
const reserved = (x: number) => frame([0x01, 0x80, 0xc2, 0, 0, x]);
/** A PRNG that returns the given values in turn. */
const script = (...v: number[]) => () => v.shift() ?? 0.5;

describe('provider modes', () => {
  it('transparent passes every reserved address; provider-bridge filters 01..0A and 0E; filter-all the whole 00..0F', () => {
    const all = Array.from({ length: 16 }, (_, x) => x);
    expect(all.filter((x) => providerFilters('transparent', reserved(x)))).toEqual([]);
    expect(all.filter((x) => providerFilters('provider-bridge', reserved(x)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14]);
    expect(all.filter((x) => providerFilters('filter-all', reserved(x)))).toEqual(all);
    // Just outside the range, the broadcast address and a unicast address pass everywhere.
    for (const da of [[0x01, 0x80, 0xc2, 0, 0, 0x10], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x02, 0, 0, 0, 0, 2]]) {
      expect(providerFilters('filter-all', frame(da))).toBe(false);
      expect(providerFilters('provider-bridge', frame(da))).toBe(false);
    }
  });

  it('counts what it filters per arrival port, with the addresses last filtered', () => {
    const p = new ProviderPath({ mode: 'provider-bridge' }, ['customer', 'customer'], script());
    expect(p.decide(0, reserved(3), 0)).toEqual({ drop: 'filteredReserved' });
    expect(p.decide(0, reserved(0), 0)).toMatchObject({ dueMs: 0, hold: false });
    expect(p.counters[0]!).toMatchObject({ rx: 2, forwarded: 1, filteredReserved: 1, lastFiltered: ['01:80:c2:00:00:03'] });
    expect(p.counters[1]!.rx).toBe(0);
    // Each address once, the latest last.
    p.decide(0, reserved(2), 0);
    p.decide(0, reserved(3), 0);
    expect(p.counters[0]!.lastFiltered).toEqual(['01:80:c2:00:00:02', '01:80:c2:00:00:03']);
  });
});

describe('provider knobs', () => {
  it('mtu drops frames whose payload is longer, loss drops at the PRNG, latency and jitter set the due time', () => {
    const p = new ProviderPath({ mtu: 1500, lossPercent: 10, latencyMs: 20, jitterMs: 4 }, ['customer', 'customer'], script(0.5, 0.75, 0.05));
    expect(p.decide(0, frame([2, 0, 0, 0, 0, 2], 14 + 1501), 100)).toEqual({ drop: 'mtuExceeded' });
    // loss 0.5*100 >= 10: kept; jitter (0.75*2-1)*4 = +2 ms
    expect(p.decide(0, frame([2, 0, 0, 0, 0, 2], 14 + 1500), 100)).toMatchObject({ dueMs: 122, hold: false });
    // 0.05*100 < 10: lost
    expect(p.decide(1, frame([2, 0, 0, 0, 0, 1]), 100)).toEqual({ drop: 'lost' });
    expect(p.counters[0]!).toMatchObject({ mtuExceeded: 1, forwarded: 1 });
    expect(p.counters[1]!).toMatchObject({ lost: 1 });
  });

  it('reorderPercent holds a frame behind the next one of its direction', () => {
    const p = new ProviderPath({ reorderPercent: 50 }, ['customer', 'customer'], script(0.1, 0.9));
    const line = new DelayLine(50);
    const a = frame([2, 0, 0, 0, 0, 2]);
    const b = frame([2, 0, 0, 0, 0, 3]);
    for (const f of [a, b]) {
      const d = p.decide(0, f, 10);
      if ('drop' in d) throw new Error('dropped');
      line.push(d.frame, d.dueMs, d.hold);
    }
    expect(line.takeDue(10)).toEqual([b, a]);
    expect(p.counters[0]!.reordered).toBe(1);
  });

  it('a held frame with no successor goes on its own after the hold time', () => {
    const line = new DelayLine(50);
    const a = frame([2, 0, 0, 0, 0, 2]);
    line.push(a, 10, true);
    expect(line.takeDue(59)).toEqual([]);
    expect(line.nextDueMs()).toBe(60);
    expect(line.takeDue(60)).toEqual([a]);
  });

  it('an S-tag is pushed into the provider network and popped towards the customer; a frame of another S-VLAN is dropped', () => {
    const edge = new ProviderPath({ sVlan: 300 }, ['customer', 'network'], script());
    const f = frame([2, 0, 0, 0, 0, 2]);
    const up = edge.decide(0, f, 0);
    if ('drop' in up) throw new Error('dropped');
    expect(up.frame.length).toBe(f.length + 4);
    expect([up.frame[12], up.frame[13], sTagVid(up.frame)]).toEqual([0x88, 0xa8, 300]);
    const down = edge.decide(1, up.frame, 0);
    if ('drop' in down) throw new Error('dropped');
    expect(down.frame).toEqual(f);
    expect(edge.decide(1, pushSTag(f, 301), 0)).toEqual({ drop: 'sTagMismatch' });
    expect(edge.decide(1, f, 0)).toEqual({ drop: 'sTagMismatch' });
    expect(edge.counters[0]!.sTagPushed).toBe(1);
    expect(edge.counters[1]!).toMatchObject({ sTagPopped: 1, sTagMismatch: 2 });
    // Between two customers in one box the tag would be pushed and popped at once: nothing changes.
    const single = new ProviderPath({ sVlan: 300 }, ['customer', 'customer'], script());
    expect(single.decide(0, f, 0)).toMatchObject({ frame: f });
  });

  it('knob values are checked, naming the knob; none clears mtu and sVlan', () => {
    expect(checkProviderKnob('latencyMs', '20')).toEqual({ value: 20 });
    expect(checkProviderKnob('mode', 'filter-all')).toEqual({ value: 'filter-all' });
    expect(checkProviderKnob('mtu', 'none')).toEqual({ value: undefined });
    expect(checkProviderKnob('lossPercent', 101)).toEqual({ error: 'lossPercent: must be a number from 0 to 100, got 101' });
    expect(checkProviderKnob('mtu', '1500.5')).toMatchObject({ error: expect.stringMatching(/^mtu: must be an integer from 68 to 65535/) });
    expect(checkProviderKnob('mode', 'bridge')).toMatchObject({ error: expect.stringMatching(/^mode: must be one of transparent, provider-bridge, filter-all/) });
    expect(checkProviderKnob('delay', 1)).toMatchObject({ error: expect.stringMatching(/^unknown provider knob 'delay'/) });
  });
});
