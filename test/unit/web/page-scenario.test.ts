/**
 * A scenario run from the page (src/web/page-scenario.ts) over a stand-in
 * host whose run is a script of explanations and steps: the run stops at
 * each explanation until Next, Stop ends it at once while it waits, one run
 * at a time, and only a scenario the host offers for the lab starts.
 */
import { describe, expect, it } from 'vitest';
import type { LabState } from '../../../src/lab/index.js';
import { PageScenario, WebError, type ScenarioHooks, type ScenarioHost, type ScenarioRunView } from '../../../src/web/index.js';

const state = { lab: 'sc', nodes: [], links: [] } as unknown as LabState;

/** A host with one scenario `demo`: say, a check that holds, say, a check that holds. */
function host(): ScenarioHost & { ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    list: () => [{ name: 'demo', title: 'Demo', minutes: 1, teaches: 'pausing' }],
    run: async (name: string, lab: string, h: ScenarioHooks) => {
      ran.push(`${name}@${lab}`);
      try {
        await h.onSay('First: the link secures.', ['dxlab show mka dx --name sc']);
      } catch (e) {
        h.onStep({ index: 0, kind: 'say', text: 'say', held: null, error: (e as Error).message });
        return { passed: false };
      }
      h.onStep({ index: 1, kind: 'wait', text: 'PASS wait status dx eth1 secured = true', held: true, error: null });
      await h.onSay('Second.', []);
      h.onStep({ index: 3, kind: 'expect', text: 'PASS expect status router eth1 secured = true', held: true, error: null });
      return { passed: true };
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function make() {
  const h = host();
  const seen: ScenarioRunView[] = [];
  const ps = new PageScenario(h, 'sc', () => state, (v) => seen.push(v), () => undefined);
  return { h, ps, seen };
}

describe('a scenario run from the page', () => {
  it('stops at each explanation with its text and commands, runs nothing until Next, then passes', async () => {
    const { h, ps, seen } = make();
    ps.start('demo');
    await tick();
    expect(h.ran).toEqual(['demo@sc']);
    expect(ps.view()).toMatchObject({ state: 'paused', say: { text: 'First: the link secures.', tries: ['dxlab show mka dx --name sc'] }, steps: [] });
    ps.next();
    await tick();
    expect(ps.view()).toMatchObject({ state: 'paused', say: { text: 'Second.' } });
    expect(ps.view()!.steps.map((s) => s.held)).toEqual([true]);
    expect(() => ps.start('demo')).toThrow(/is running: stop it first/);
    ps.next();
    await tick();
    expect(ps.view()!.state).toBe('passed');
    expect(ps.view()!.steps).toHaveLength(2);
    // Every change went to the page (a state once per change of it), ending with the result.
    expect(seen.map((v) => v.state).filter((x, i, all) => x !== all[i - 1])).toEqual(['paused', 'running', 'paused', 'running', 'passed']);
    expect(() => ps.next()).toThrow(WebError);
  });

  it('Stop while it waits at an explanation ends the run at once, as stopped', async () => {
    const { ps } = make();
    ps.start('demo');
    await tick();
    ps.stop();
    await tick();
    expect(ps.view()!.state).toBe('stopped');
    expect(ps.view()!.steps.at(-1)?.error).toBe('stopped from the page');
    expect(() => ps.stop()).toThrow(/no scenario is running/);
    // A new run may start once it ended.
    ps.start('demo');
    await tick();
    expect(ps.view()!.state).toBe('paused');
  });

  it('starts only a scenario the host offers for the lab, naming the field', () => {
    const { h, ps } = make();
    for (const bad of ['../etc/passwd', 'nope', undefined, 7]) {
      try {
        ps.start(bad);
        throw new Error('started');
      } catch (e) {
        expect(e).toBeInstanceOf(WebError);
        expect((e as WebError).code).toBe('badRequest');
        expect((e as Error).message).toMatch(/^'scenario' must be one of the scenarios this lab can run: demo$/);
      }
    }
    expect(h.ran).toEqual([]);
    expect(ps.view()).toBeNull();
  });
});
