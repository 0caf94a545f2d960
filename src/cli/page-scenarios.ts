/**
 * The scenarios a lab's web page may run (src/web/page-scenario.ts): those
 * of lab/ and of any folder `dxlab ui --scenarios DIR` names (each
 * subfolder with a scenario.yaml, as lab/ holds them; a name there hides
 * lab/'s), offered for a lab only when the lab has every node and link end
 * of the scenario's topology, and run attached to the lab (neither brought
 * up nor taken down), as `dxlab scenario run --attach` does.
 */
import { resolve } from 'node:path';
import { loadTopology, type LabState } from '../lab/index.js';
import { LAB_ROOT, loadScenario, runScenario, scenarioNames, tryCommands, type Scenario } from '../scenario/index.js';
import type { ScenarioHost, ScenarioInfo } from '../web/index.js';

interface Entry {
  scenario: Scenario;
  dir: string;
  nodes: string[];
  /** Link ends as `node:port`. */
  ends: string[];
  /** Its links as `a|b`, each with whether it is a LAG member. */
  links: Map<string, boolean>;
}

/** Every scenario of `roots`, the first root's first; one that does not load is left out (dxlab scenario run names its fault). */
function catalog(roots: string[]): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const root of roots) {
    for (const name of scenarioNames(root)) {
      if (out.has(name)) continue;
      try {
        const { scenario, dir } = loadScenario(name, root);
        const t = loadTopology(resolve(dir, scenario.topology));
        const ends = (l: (typeof t.links)[number]) => [`${l.a.node}:${l.a.port}`, `${l.b.node}:${l.b.port}`];
        out.set(name, { scenario, dir, nodes: t.nodes.map((n) => n.name), ends: t.links.flatMap(ends), links: new Map(t.links.map((l) => [ends(l).join('|'), l.lag !== undefined])) });
      } catch {
        /* not offered */
      }
    }
  }
  return out;
}

/**
 * Whether the lab has the scenario's nodes and link ends, a link between
 * the same ends being a LAG member in both or in neither (a scenario written
 * for a plain link acts on a port that a LAG would hold otherwise).
 */
function fits(e: Entry, state: LabState): boolean {
  const nodes = new Set(state.nodes.map((n) => n.name));
  const ends = new Set(state.links.flatMap((l) => [l.a, l.b]));
  const sameLag = state.links.every((l) => {
    const member = e.links.get(`${l.a}|${l.b}`);
    return member === undefined || member === (l.type === 'lag');
  });
  return e.nodes.every((n) => nodes.has(n)) && e.ends.every((x) => ends.has(x)) && sameLag;
}

/** The host for the web view, over lab/ and `extra` folders (read once, when a page first asks). */
export function pageScenarios(extra: string[] = []): ScenarioHost {
  const roots = [...extra.map((d) => resolve(d)), LAB_ROOT];
  let read: Map<string, Entry> | undefined;
  const all = () => (read ??= catalog(roots));
  return {
    list: (state): ScenarioInfo[] =>
      [...all().entries()]
        .filter(([, e]) => fits(e, state))
        .map(([name, { scenario: s }]) => ({ name, title: s.title, minutes: s.minutes, teaches: s.teaches }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    run: async (name, lab, hooks) => {
      const e = all().get(name)!;
      const r = await runScenario(e.scenario, e.dir, {
        lab,
        attach: true,
        onSay: (s) => hooks.onSay(s.verb.trim(), tryCommands(s, lab === e.scenario.name ? undefined : lab)),
        onStep: (o) => o.kind !== 'say' && hooks.onStep({ index: o.index, kind: o.kind, text: o.text, held: o.held ?? null, error: o.error ?? null }),
      });
      return { passed: r.passed };
    },
  };
}
