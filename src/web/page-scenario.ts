/**
 * A scenario run from the page, step by step: the trainer picks one of the
 * scenarios that fit the lab, the run stops at each explanation (`say`)
 * with its text and the commands a student can type on screen, and goes on
 * when the trainer presses Next, as `dxlab scenario run` waits for Enter on
 * a terminal. One run at a time per lab; every change of the run goes to
 * the page (`scenario` messages).
 *
 * The scenarios themselves (src/scenario) are an outer layer's: they come
 * in as a `ScenarioHost` (the CLI makes it), which runs one attached to the
 * lab (neither brought up nor taken down).
 */
import type { LabState } from '../lab/index.js';
import { WebError } from './errors.js';

/** A scenario the page offers. */
export interface ScenarioInfo {
  name: string;
  title: string;
  minutes: number;
  teaches: string;
}

/** One step's outcome as the page shows it. */
export interface ScenarioStepView {
  index: number;
  kind: string;
  text: string;
  /** Set for waits and assertions: whether it held. */
  held: boolean | null;
  error: string | null;
}

/** What the page is told of the run. */
export interface ScenarioRunView {
  name: string;
  title: string;
  /** `paused`: at an explanation, waiting for Next. */
  state: 'running' | 'paused' | 'passed' | 'failed' | 'stopped';
  /** The explanation on screen while paused, the last one after. */
  say: { text: string; tries: string[] } | null;
  steps: ScenarioStepView[];
}

export interface ScenarioHooks {
  /** At an explanation; the run goes on when the promise resolves, and ends as failed when it rejects. */
  onSay(text: string, tries: string[]): Promise<void>;
  /** After each step; a throw ends the run after that step. */
  onStep(o: ScenarioStepView): void;
}

/** The scenarios, from an outer layer. */
export interface ScenarioHost {
  /** The scenarios whose nodes and links the lab has. */
  list(state: LabState): ScenarioInfo[];
  /** Runs `name` on the running lab `lab`. @returns whether every check held */
  run(name: string, lab: string, hooks: ScenarioHooks): Promise<{ passed: boolean }>;
}

/** Thrown into the run by Stop. */
class Stopped extends Error {
  constructor() {
    super('stopped from the page');
  }
}

/** The run of one lab's page. */
export class PageScenario {
  private run: ScenarioRunView | null = null;
  private resume: { go(): void; stop(e: Error): void } | null = null;
  private stopping = false;

  constructor(
    private readonly host: ScenarioHost,
    private readonly lab: string,
    private readonly state: () => LabState,
    private readonly changed: (v: ScenarioRunView) => void,
    private readonly log: (line: string, fields?: Record<string, unknown>) => void,
  ) {}

  /** The scenarios the page offers now. */
  list(): ScenarioInfo[] {
    return this.host.list(this.state());
  }

  view(): ScenarioRunView | null {
    return this.run;
  }

  /**
   * Starts `name`; resolves once it is started (the run goes on by itself).
   * @throws WebError('badRequest') when a run is going on, or `name` is not one the page offers
   */
  start(name: unknown): ScenarioRunView {
    if (this.run && (this.run.state === 'running' || this.run.state === 'paused')) throw new WebError('badRequest', `scenario ${this.run.name} is running: stop it first`);
    const info = typeof name === 'string' ? this.list().find((s) => s.name === name) : undefined;
    if (!info) throw new WebError('badRequest', `'scenario' must be one of the scenarios this lab can run: ${this.list().map((s) => s.name).join(', ') || 'none'}`);
    const run: ScenarioRunView = { name: info.name, title: info.title, state: 'running', say: null, steps: [] };
    this.run = run;
    this.stopping = false;
    this.log('web view: scenario started', { scenario: info.name });
    const push = () => this.changed({ ...run, steps: [...run.steps] });
    const hooks: ScenarioHooks = {
      onSay: (text, tries) =>
        new Promise<void>((go, stop) => {
          if (this.stopping) return stop(new Stopped());
          run.state = 'paused';
          run.say = { text, tries };
          this.resume = {
            go: () => {
              run.state = 'running';
              go();
            },
            stop,
          };
          push();
        }),
      onStep: (o) => {
        run.steps.push(o);
        push();
        if (this.stopping) throw new Stopped();
      },
    };
    void this.host.run(info.name, this.lab, hooks).then(
      (r) => this.end(run, this.stopping ? 'stopped' : r.passed ? 'passed' : 'failed'),
      (e: unknown) => {
        if (!(e instanceof Stopped)) run.steps.push({ index: run.steps.length, kind: 'error', text: `the run ended: ${(e as Error).message}`, held: null, error: (e as Error).message });
        this.end(run, this.stopping ? 'stopped' : 'failed');
      },
    );
    push();
    return run;
  }

  /** Goes on from the explanation on screen. @throws WebError('badRequest') when the run is not paused */
  next(): ScenarioRunView {
    if (!this.run || this.run.state !== 'paused' || !this.resume) throw new WebError('badRequest', 'no scenario is waiting at an explanation');
    const r = this.resume;
    this.resume = null;
    r.go();
    this.changed({ ...this.run, steps: [...this.run.steps] });
    return this.run;
  }

  /**
   * Stops the run: at once when it waits at an explanation, else after the
   * step it is in (a wait runs until it holds or times out).
   * @throws WebError('badRequest') when no run is going on
   */
  stop(): ScenarioRunView {
    if (!this.run || (this.run.state !== 'running' && this.run.state !== 'paused')) throw new WebError('badRequest', 'no scenario is running');
    this.stopping = true;
    const r = this.resume;
    this.resume = null;
    r?.stop(new Stopped());
    this.log('web view: scenario stop asked', { scenario: this.run.name });
    return this.run;
  }

  private end(run: ScenarioRunView, state: ScenarioRunView['state']): void {
    run.state = state;
    this.resume = null;
    this.log('web view: scenario ended', { scenario: run.name, state });
    this.changed({ ...run, steps: [...run.steps] });
  }
}
