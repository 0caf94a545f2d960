/**
 * The scenario runner: brings up the scenario's lab, runs its steps in order
 * through the calls the CLI verbs make (the node's control socket, the lab's
 * kill/restart/wire functions, the lab's AWS API for a DX device when the
 * scenario hosts it), checks each wait and assertion and reports it as it
 * goes, and takes the lab down at the end unless asked to keep it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LAB_API_SERVICE, dxCall, findService } from '../aws/index.js';
import { checkKindSet, killNode, labDown, labUp, loadTopology, processAlive, readLabState, readLabTopology, restartNode, setWireCarrier, type LabState, type Topology } from '../lab/index.js';
import { controlRequest, isMacsecKnob, parseKnobWord, resolveMacsecKnob, type MacsecKnob } from '../node/index.js';
import { readCaptureFile } from '../io/index.js';
import { census, type WireCensus } from './capture-check.js';
import { DEFAULT_PING_INTERVAL_MS, DEFAULT_TCP_RATE_MBPS, DEFAULT_WAIT_TIMEOUT_S, TCP_FIRST_PORT, WAIT_POLL_MS } from './constants.js';
import { ScenarioError } from './errors.js';
import { fieldOf, meets, type Scenario, type Step } from './parse.js';
import { startPing, startTcp, type TrafficResult, type TrafficRun } from './traffic.js';

/** What one step did. `held` is set for waits, assertions and actions expected to be refused. */
export interface StepOutcome {
  index: number;
  line: number;
  kind: Step['kind'];
  verb: string;
  /** One line: what was done or checked, and the figure. */
  text: string;
  held?: boolean;
  /** The figure an assertion read (a counter, a field, frames lost, seconds waited). */
  figure?: unknown;
  error?: string;
}

export interface ScenarioResult {
  scenario: string;
  lab: string;
  kept: boolean;
  /** Every assertion and wait held, and no action failed. */
  passed: boolean;
  steps: StepOutcome[];
  /** Where the run's time went, in seconds: bringing the lab up, the steps, taking it down (0 with keep). */
  seconds: { up: number; steps: number; down: number };
}

export interface RunOptions {
  /** Lab name (default: the scenario's name). */
  lab?: string;
  /** Leave the lab running at the end. */
  keep?: boolean;
  /**
   * Run on the lab `lab`, already running (it must have the scenario's nodes): neither bring it up
   * nor take it down. For a lab whose start is dear (a VM), so that a test can run a scenario on a
   * lab it has up already.
   */
  attach?: boolean;
  /** Called before each `say` step's outcome is reported; a terminal waits for Enter here. */
  onSay?: (step: Step) => Promise<void>;
  /** Called with each step's outcome as it completes. */
  onStep?: (o: StepOutcome) => void;
  /** Progress of the lab's start. */
  progress?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Node names the steps use, checked against the topology before anything starts. */
function checkNodes(sc: Scenario, topo: Topology): void {
  const names = new Set(topo.nodes.map((n) => n.name));
  for (const s of sc.steps) {
    for (const f of ['node', 'from', 'toNode'] as const) {
      const v = s.args[f] as string | undefined;
      if (v !== undefined && !names.has(v)) throw new ScenarioError('file', `${sc.file}:${s.line}: steps.${s.index}.${f}: no node '${v}' in its topology (nodes: ${[...names].join(', ')})`);
    }
    const end = s.args.end as string | undefined;
    if (end !== undefined && !names.has(end.split(':')[0]!)) throw new ScenarioError('file', `${sc.file}:${s.line}: steps.${s.index}.end: no node '${end.split(':')[0]}' in its topology`);
  }
}

/** Runs a scenario from its folder `dir`. @throws ScenarioError for a bad topology or node name, before any lab exists. */
export async function runScenario(sc: Scenario, dir: string, o: RunOptions = {}): Promise<ScenarioResult> {
  const lab = o.lab ?? sc.name;
  let topo: Topology;
  try {
    topo = loadTopology(resolve(dir, sc.topology));
  } catch (e) {
    throw new ScenarioError('file', `${sc.file}: topology: ${(e as Error).message}`, { cause: e });
  }
  checkNodes(sc, topo);
  if (o.attach) {
    const running = readLabState(lab);
    if (!running) throw new ScenarioError('file', `--attach: no lab '${lab}' is running (dxlab up ... --name ${lab} first)`);
    const missing = topo.nodes.map((n) => n.name).filter((n) => !running.nodes.some((x) => x.name === n));
    if (missing.length) throw new ScenarioError('file', `--attach: lab '${lab}' has no node ${missing.join(', ')} that ${sc.topology} has`);
  }
  const runner = new Runner(sc, lab, o);
  const t = [Date.now()];
  try {
    if (!o.attach) await labUp(topo, lab, (s) => o.progress?.(s), sc.api ? {} : { supervisorArgs: ['--no-api'] });
    t.push(Date.now());
    await runner.run();
    t.push(Date.now());
  } finally {
    runner.cleanUp();
    if (!o.keep && !o.attach) await labDown(lab).catch(() => undefined);
  }
  const secs = (a: number, b: number) => Math.round((b - a) / 100) / 10;
  const seconds = { up: secs(t[0]!, t[1]!), steps: secs(t[1]!, t[2]!), down: secs(t[2]!, Date.now()) };
  return { scenario: sc.name, lab, kept: !!o.keep || !!o.attach, passed: runner.outcomes.every((x) => x.held !== false && !x.error), steps: runner.outcomes, seconds };
}

class Runner {
  readonly outcomes: StepOutcome[] = [];
  private readonly traffic = new Map<string, TrafficRun>();
  private readonly trafficResults = new Map<string, TrafficResult>();
  private readonly captures = new Map<string, { node: string; port: string; path: string }>();
  private readonly captureResults = new Map<string, WireCensus>();
  private readonly scratch = mkdtempSync(join(tmpdir(), 'dxlab-scenario-'));
  /** When the last action that changes the lab started (ISO): `expect event` and `wait event` look from here. */
  private actionAt = new Date().toISOString();
  private readonly startAt = new Date().toISOString();
  /** Counters as they were at the last action, for `moved`. */
  private countersAtAction = new Map<string, Record<string, number>>();

  constructor(
    private readonly sc: Scenario,
    private readonly lab: string,
    private readonly o: RunOptions,
  ) {}

  private state(): LabState {
    const s = readLabState(this.lab);
    if (!s) throw new ScenarioError('step', `lab ${this.lab} has no state: it is not running`);
    return s;
  }

  private node(name: string) {
    const n = this.state().nodes.find((x) => x.name === name);
    if (!n) throw new ScenarioError('step', `no node '${name}' in lab ${this.lab}`);
    return n;
  }

  private async ask(node: string, req: Record<string, unknown>): Promise<any> {
    return (await controlRequest(this.node(node).socket, req, undefined, { node })).result;
  }

  async run(): Promise<void> {
    for (const s of this.sc.steps) {
      let out: StepOutcome;
      try {
        out = await this.step(s);
      } catch (e) {
        out = { ...this.base(s), text: `${this.describe(s)}: failed: ${(e as Error).message}`, error: (e as Error).message };
      }
      this.outcomes.push(out);
      this.o.onStep?.(out);
      // An action that failed leaves the lab in a state the following steps were not written for.
      if (out.error) break;
    }
  }

  cleanUp(): void {
    for (const t of this.traffic.values()) t.abort();
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private base(s: Step): StepOutcome {
    return { index: s.index, line: s.line, kind: s.kind, verb: s.verb, text: '' };
  }

  /** The step in words: `set router eth1 mode must_encrypt`. */
  private describe(s: Step): string {
    const a = s.args;
    const where = [a.node, a.port].filter((x) => x !== undefined).join(' ');
    switch (s.kind) {
      case 'say':
        return 'say';
      case 'do':
        if (s.verb === 'set') return `set ${where} ${a.knob} ${Array.isArray(a.value) ? a.value.join(',') : a.value}`;
        if (s.verb === 'key-add' || s.verb === 'key-remove') return `${s.verb} ${where} ckn ${String(a.ckn).slice(0, 8)}...`;
        if (s.verb === 'wire-cut' || s.verb === 'wire-restore') return `${s.verb} ${a.end}`;
        if (s.verb === 'traffic-start') return `traffic-start ${a.id}: ${a.kind === 'tcp' ? `tcp ${a.seconds} s` : 'ping'} ${a.from} -> ${a.to}`;
        if (s.verb === 'attack') return `attack ${a.node} ${a.action}${a.from ? ` --from ${a.from}` : ''}`;
        if (s.verb === 'sleep') return `sleep ${a.seconds} s`;
        if (a.id !== undefined) return `${s.verb} ${a.id}${where ? ` (${where})` : ''}`;
        return `${s.verb} ${where}`;
      case 'wait':
        if (s.verb === 'event') return `wait event ${where} ${a.type}`;
        if (s.verb === 'bgp') return `wait bgp ${a.node} ${bgpWant(a)}`;
        if (s.verb === 'counter') return `wait counter ${where} ${a.counter}${a.grownBy !== undefined ? ` grown by >= ${a.grownBy}` : a.moved !== undefined ? (a.moved ? ' moved' : ' unchanged') : ''} ${meets(undefined, a).want === 'present' ? '' : meets(undefined, a).want}`.trimEnd();
        return `wait status ${where} ${a.field} ${meets(undefined, a).want}`;
      case 'expect':
        if (s.verb === 'status') return `expect status ${where} ${a.field} ${meets(undefined, a).want}`;
        if (s.verb === 'counter') return `expect counter ${where} ${a.counter}${a.moved !== undefined ? (a.moved ? ' moved' : ' unchanged') : ''} ${meets(undefined, a).want === 'present' ? '' : meets(undefined, a).want}`.trimEnd();
        if (s.verb === 'event') return `expect event ${where} ${a.type} ${meets(undefined, { atLeast: a.atLeast ?? (a.atMost === undefined ? 1 : undefined), atMost: a.atMost }).want}${a.since === 'start' ? ' since start' : ''}`;
        if (s.verb === 'traffic') return `expect traffic ${a.id} ${[this.bounds(a, ['lost', 'received']), a.stalledAtMostS !== undefined ? `stalled <= ${a.stalledAtMostS} s` : '', a.survived !== undefined ? `connection ${a.survived ? 'survives' : 'lost'}` : ''].filter((x) => x).join(' and ')}`;
        if (s.verb === 'capture') return `expect capture ${a.id} ${this.bounds(a, ['cleartext', 'macsec', 'mkpdu'])}`;
        return `expect bgp ${a.node} ${bgpWant(a)}`;
    }
  }

  private bounds(a: Record<string, any>, names: string[]): string {
    return names
      .flatMap((n) => [a[`${n}AtLeast`] !== undefined ? `${n} >= ${a[`${n}AtLeast`]}` : [], a[`${n}AtMost`] !== undefined ? `${n} <= ${a[`${n}AtMost`]}` : []].flat())
      .join(' and ');
  }

  private async step(s: Step): Promise<StepOutcome> {
    const out = this.base(s);
    const what = this.describe(s);
    if (s.kind === 'say') {
      await this.o.onSay?.(s);
      return { ...out, text: s.verb };
    }
    if (s.kind === 'do') {
      const changes = !['traffic-start', 'traffic-stop', 'capture-start', 'capture-stop', 'sleep'].includes(s.verb);
      if (changes) await this.markAction();
      try {
        const said = await this.act(s);
        if (s.args.expectRefused) return { ...out, held: false, text: `FAIL ${what}: refused expected, it was done (${said})` };
        return { ...out, text: `${what}: ${said}` };
      } catch (e) {
        if (s.args.expectRefused) return { ...out, held: true, text: `PASS ${what}: refused: ${(e as Error).message}` };
        throw e;
      }
    }
    if (s.kind === 'wait') return this.wait(s, out, what);
    return this.expect(s, out, what);
  }

  private async markAction(): Promise<void> {
    this.actionAt = new Date().toISOString();
    this.countersAtAction = new Map();
    for (const n of this.state().nodes) {
      if (n.killedAt) continue;
      const all = await this.ask(n.name, { cmd: 'counters' }).catch(() => undefined);
      if (all !== undefined) this.countersAtAction.set(`${n.name} *`, flatCounters(all));
      for (const p of (all?.ports ?? []) as Array<{ name: string }>) this.countersAtAction.set(`${n.name} ${p.name}`, flatCounters(p));
    }
  }

  // ------------------------------------------------------------ actions

  private async act(s: Step): Promise<string> {
    const a = s.args;
    switch (s.verb) {
      case 'set':
        return this.eachMember(a.node, a.port, (port) => this.set(a.node, port, a.knob, a.value));
      case 'key-add':
      case 'key-remove':
        return this.eachMember(a.node, a.port, (port) => this.key(s.verb, a.node, port!, String(a.ckn).toLowerCase(), a.cak));
      case 'rekey':
        await this.ask(a.node, { cmd: 'rekey', port: a.port });
        return 'rekey requested';
      case 'wire-cut':
      case 'wire-restore': {
        const [node, port] = String(a.end).split(':') as [string, string];
        const r = setWireCarrier(this.lab, node, port, s.verb === 'wire-cut' ? 'down' : 'up');
        return `wire ${r.wire} carrier ${r.carrier}`;
      }
      case 'kill': {
        const r = await killNode(this.lab, a.node);
        return r.killed ? `killed (SIGKILL)` : 'was not running';
      }
      case 'restart': {
        const r = await restartNode(this.lab, a.node);
        return `restarted, pid ${r.pid} answers`;
      }
      case 'traffic-start': {
        const from = this.node(a.from);
        if (a.kind === 'tcp') {
          const to = this.holderOf(a.to);
          const run = await startTcp(from.netns, to.netns, a.to, { seconds: a.seconds, rateMbps: a.rateMbps ?? DEFAULT_TCP_RATE_MBPS, port: TCP_FIRST_PORT + this.traffic.size + this.trafficResults.size });
          this.traffic.set(a.id, run);
          return `running (iperf3 server on ${to.name} ${a.to})`;
        }
        const run = startPing(from.netns, a.to, { intervalMs: a.intervalMs ?? DEFAULT_PING_INTERVAL_MS, ...(a.size !== undefined ? { size: a.size } : {}), ...(a.count !== undefined ? { count: a.count } : {}) });
        this.traffic.set(a.id, run);
        return 'running';
      }
      case 'traffic-stop': {
        const r = await this.traffic.get(a.id)!.stop();
        this.traffic.delete(a.id);
        this.trafficResults.set(a.id, r);
        if (r.kind === 'tcp') return `${r.sent} octets sent, ${r.received} received, ${r.lost} lost, stalled ${r.stalledS} s, connection ${r.survived ? 'survived' : `lost (${r.error ?? 'nothing received'})`}`;
        return `${r.sent} sent, ${r.received} answered, ${r.lost} lost`;
      }
      case 'capture-start': {
        const path = join(this.scratch, `${a.id}.pcapng`);
        await this.ask(a.node, { cmd: 'capture', port: a.port, side: a.side ?? 'wire', path });
        this.captures.set(a.id, { node: a.node, port: a.port, path });
        return `capturing ${a.side ?? 'wire'}`;
      }
      case 'capture-stop': {
        const c = this.captures.get(a.id)!;
        await this.ask(c.node, { cmd: 'capture', port: c.port, stop: c.path });
        const r = census(readCaptureFile(c.path).frames.map((f) => f.data));
        this.captureResults.set(a.id, r);
        return `${r.frames} frames: ${r.macsec} MACsec, ${r.mkpdu} MKPDUs, ${r.cleartext} cleartext${r.cleartext ? ` (${Object.entries(r.cleartextTypes).map(([t, n]) => `${t} ${n}`).join(', ')})` : ''}`;
      }
      case 'attack': {
        const req: Record<string, unknown> = { cmd: 'attack', action: a.action };
        for (const k of ['from', 'mkpdu', 'percent', 'ms', 'count', 'where', 'type', 'kind', 'reset']) if (a[k] !== undefined) req[k] = a[k];
        const r = await this.ask(a.node, req);
        return r.active ? `${a.action} on` : r.action === 'snoop' ? `saw ${r.touched} frames, ${r.readableData ?? 0} with readable data` : `${r.touched} frames touched`;
      }
      case 'sleep':
        await sleep(a.seconds * 1000);
        return 'done';
    }
    throw new ScenarioError('step', `unknown action '${s.verb}'`);
  }

  /**
   * A change to a LAG is made on every member, one after the other, as `dxlab set` does
   * (AWS: UpdateLag's mode and a LAG's keys apply to every member, directconnect-api.md V8, V15).
   */
  private async eachMember(node: string, port: string | undefined, change: (port: string | undefined) => Promise<string>): Promise<string> {
    const members = port === undefined ? undefined : readLabTopology(this.lab)?.lags?.find((l) => l.name === port && l.nodes.includes(node))?.ports[node];
    if (!members) return change(port);
    const said: string[] = [];
    for (const m of members) said.push(`${m}: ${await change(m)}`);
    return said.join('; ');
  }

  /** The node whose namespace holds `address` (a TCP stream's server runs there). */
  private holderOf(address: string) {
    for (const n of this.state().nodes) {
      if (n.killedAt || !n.netns) continue;
      const out = (() => {
        try {
          return execFileSync('ip', ['-n', n.netns, '-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
        } catch {
          return '';
        }
      })();
      if (out.split('\n').some((l) => l.split(/\s+/).includes('inet') && l.split(/\s+/)[l.split(/\s+/).indexOf('inet') + 1]?.split('/')[0] === address)) return n;
    }
    throw new ScenarioError('step', `no node of lab ${this.lab} has the address ${address}`);
  }

  private apiUrl(): string | undefined {
    const e = findService(this.lab, LAB_API_SERVICE);
    return e && processAlive(e.pid) ? e.url : undefined;
  }

  /** A knob, the mode, or a provider's knob (no port). */
  private async set(node: string, port: string | undefined, knob: string, value: unknown): Promise<string> {
    const n = this.node(node);
    if (n.kind === 'provider' || port === undefined) {
      const r = await this.ask(node, { cmd: 'provider', knob, value: String(value) });
      return `${r.knob} ${r.from ?? 'none'} -> ${r.to ?? 'none'}`;
    }
    if (knob === 'mode') {
      if (n.kind === 'dx-device' && this.apiUrl()) return this.throughApi(node, port, { mode: String(value) });
      const before = (await this.ask(node, { cmd: 'status', port })).mode;
      const r = await this.ask(node, { cmd: 'setMode', port, mode: value });
      return `mode ${before} -> ${r.mode}`;
    }
    if (!isMacsecKnob(knob)) throw new ScenarioError('step', `unknown knob '${knob}'`);
    const word = Array.isArray(value) ? value.join(',') : String(value);
    const parsed = parseKnobWord(knob as MacsecKnob, word);
    if ('error' in parsed) throw new ScenarioError('step', parsed.error);
    resolveMacsecKnob(knob as MacsecKnob, parsed.value);
    checkKindSet(this.lab, node, { knob, value: parsed.value });
    const r = await this.ask(node, { cmd: 'set', port, knob, value: parsed.value });
    return `${knob} ${r.from === null || r.from === undefined ? 'default' : JSON.stringify(r.from)} -> ${JSON.stringify(r.to)} (${r.applied === 'live' ? 'applied live' : 'KaY restarted'})`;
  }

  private async key(verb: string, node: string, port: string, ckn: string, cak?: string): Promise<string> {
    const n = this.node(node);
    if (verb === 'key-add') checkKindSet(this.lab, node, { key: { ckn, cak: String(cak).toLowerCase() } });
    if (n.kind === 'dx-device' && this.apiUrl()) return this.throughApi(node, port, verb === 'key-add' ? { add: { ckn, cak: String(cak).toLowerCase() } } : { remove: ckn });
    const r = await this.ask(node, verb === 'key-add' ? { cmd: 'addKey', port, ckn, cak: String(cak).toLowerCase() } : { cmd: 'removeKey', port, ckn });
    return `key chain ${chain(r.keyChain)}`;
  }

  /** A DX device's mode or key chain through the lab's AWS API, as `dxlab set` does (src/cli/set-through-api.ts). */
  private async throughApi(node: string, port: string, req: { mode?: string; add?: { ckn: string; cak: string }; remove?: string }): Promise<string> {
    const url = this.apiUrl()!;
    const call = async (op: string, body: Record<string, unknown>) => {
      const r = await dxCall(url, op, body);
      if (!r.ok) throw new ScenarioError('step', `AWS API: ${op}: ${r.message}`);
      return r.output as Record<string, any>;
    };
    const all = (await call('DescribeConnections', {})).connections as Array<Record<string, any>>;
    const c = all.find((x) => x.connectionState !== 'deleted' && (x.tags as Array<{ key: string; value?: string }> | undefined)?.some((t) => t.key === 'dxlab:port' && t.value === `${node}:${port}`));
    if (!c) throw new ScenarioError('step', `no connection of the lab's AWS API is on ${node}:${port}`);
    const id = (c.lagId as string | undefined) ?? (c.connectionId as string);
    if (req.mode) {
      const op = c.lagId ? 'UpdateLag' : 'UpdateConnection';
      const out = await call(op, c.lagId ? { lagId: id, encryptionMode: req.mode } : { connectionId: id, encryptionMode: req.mode });
      return `mode ${c.encryptionMode} -> ${out.encryptionMode} (AWS API ${op} on ${id})`;
    }
    if (req.add) {
      const out = await call('AssociateMacSecKey', { connectionId: id, ckn: req.add.ckn, cak: req.add.cak });
      return `key chain ${chain((out.macSecKeys as Array<{ ckn: string }>).map((k) => k.ckn.toLowerCase()))} (AWS API AssociateMacSecKey on ${id})`;
    }
    const key = (c.macSecKeys as Array<{ ckn: string; secretARN: string }> | undefined)?.find((k) => k.ckn.toLowerCase() === req.remove);
    if (!key) throw new ScenarioError('step', `${node}:${port}: no CKN ${req.remove} is associated`);
    const out = await call('DisassociateMacSecKey', { connectionId: id, secretARN: key.secretARN });
    return `key ${String(out.macSecKeys?.[0]?.ckn ?? req.remove).slice(0, 8)}... disassociated (AWS API DisassociateMacSecKey on ${id})`;
  }

  // ------------------------------------------------------------ waits and assertions

  private async events(node: string, port: string | undefined, since: string): Promise<Array<{ type: string; time: string; reason: string }>> {
    const r = await this.ask(node, { cmd: 'events', ...(port ? { port } : {}) });
    return (r.events as Array<{ type: string; time: string; reason: string }>).filter((e) => e.time >= since);
  }

  private async bgpStates(node: string): Promise<string[]> {
    const r = await this.ask(node, { cmd: 'bgp' });
    return (r.peers as Array<{ state: string }>).map((p) => p.state);
  }

  private async wait(s: Step, out: StepOutcome, what: string): Promise<StepOutcome> {
    const a = s.args;
    const t0 = Date.now();
    const limit = (a.timeoutS ?? DEFAULT_WAIT_TIMEOUT_S) * 1000;
    let last: unknown;
    for (;;) {
      let held = false;
      try {
        if (s.verb === 'event') {
          const hit = (await this.events(a.node, a.port, this.actionAt)).find((e) => e.type === a.type);
          last = hit ? hit.reason : 'not yet';
          held = !!hit;
        } else if (s.verb === 'bgp') {
          const states = await this.bgpStates(a.node);
          last = states.join(', ');
          held = bgpHeld(states, a);
        } else if (s.verb === 'counter') {
          const c = await this.counterCheck(a);
          last = c.got;
          held = c.held;
        } else {
          last = fieldOf(await this.ask(a.node, { cmd: 'status', port: a.port }), a.field);
          held = meets(last, a).held;
        }
      } catch (e) {
        last = (e as Error).message;
      }
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (held) return { ...out, held: true, figure: Number(secs), text: `PASS ${what}: after ${secs} s${s.verb === 'event' || s.verb === 'counter' || (s.verb === 'bgp' && a.notState !== undefined) ? ` (${last})` : ''}` };
      if (Date.now() - t0 > limit) return { ...out, held: false, figure: Number(secs), text: `FAIL ${what}: not within ${limit / 1000} s (last seen: ${typeof last === 'string' ? last : JSON.stringify(last)})` };
      await sleep(WAIT_POLL_MS);
    }
  }

  private async expect(s: Step, out: StepOutcome, what: string): Promise<StepOutcome> {
    const a = s.args;
    const done = (held: boolean, figure: unknown, got: string) => ({ ...out, held, figure, text: `${held ? 'PASS' : 'FAIL'} ${what}: got ${got}` });
    switch (s.verb) {
      case 'status': {
        const v = fieldOf(await this.ask(a.node, { cmd: 'status', port: a.port }), a.field);
        return done(meets(v, a).held, v, JSON.stringify(v));
      }
      case 'counter': {
        const c = await this.counterCheck(a);
        return done(c.held, c.now, c.got);
      }
      case 'event': {
        const ev = (await this.events(a.node, a.port, a.since === 'start' ? this.startAt : this.actionAt)).filter((e) => e.type === a.type);
        const b = { atLeast: a.atLeast ?? (a.atMost === undefined ? 1 : undefined), atMost: a.atMost };
        return done(meets(ev.length, b).held, ev.length, `${ev.length}${ev.length ? ` (${ev[ev.length - 1]!.reason})` : ''}`);
      }
      case 'traffic': {
        const r = this.trafficResults.get(a.id)!;
        let held = meets(r.lost, { atLeast: a.lostAtLeast, atMost: a.lostAtMost }).held && meets(r.received, { atLeast: a.receivedAtLeast, atMost: a.receivedAtMost }).held;
        if (r.kind === 'ping') return done(held, r, `${r.lost} lost, ${r.received} answered of ${r.sent}`);
        held &&= (a.survived === undefined || a.survived === r.survived) && meets(r.stalledS, { atMost: a.stalledAtMostS }).held;
        return done(held, r, `${r.lost} octets lost, ${r.received} received of ${r.sent}, stalled ${r.stalledS} s, connection ${r.survived ? 'survived' : 'lost'}`);
      }
      case 'capture': {
        const c = this.captureResults.get(a.id)!;
        const held = (['cleartext', 'macsec', 'mkpdu'] as const).every((k) => meets(c[k], { atLeast: a[`${k}AtLeast`], atMost: a[`${k}AtMost`] }).held);
        return done(held, c, `${c.cleartext} cleartext, ${c.macsec} MACsec, ${c.mkpdu} MKPDUs of ${c.frames}`);
      }
      default: {
        const states = await this.bgpStates(a.node);
        return done(bgpHeld(states, a), states, states.join(', ') || 'no session');
      }
    }
  }

  /** A counter against its bound, and against its value at the last action (`moved`, `grownBy`). */
  private async counterCheck(a: Record<string, any>): Promise<{ held: boolean; now: number; got: string }> {
    const key = `${a.node} ${a.port ?? ''}`.trim();
    const now = await this.counter(a.node, a.port, a.counter);
    if (a.moved === undefined && a.grownBy === undefined) return { held: meets(now, a).held, now, got: String(now) };
    const moved = now - this.counterFrom(this.countersAtAction, a.node, a.port, a.counter);
    const held = (a.grownBy !== undefined ? moved >= a.grownBy : a.moved ? moved > 0 : moved === 0) && meets(now, a).held;
    return { held, now, got: `${now} (${moved >= 0 ? '+' : ''}${moved} since the last action on ${key})` };
  }

  /** A counter by name, summed over where it appears: in one port's counters, or (no port) in the node's whole answer (a provider's per-direction counters). */
  private async counter(node: string, port: string | undefined, name: string): Promise<number> {
    const all = await this.ask(node, { cmd: 'counters' });
    const m = new Map<string, Record<string, number>>([[`${node} *`, flatCounters(all)]]);
    for (const p of (all?.ports ?? []) as Array<{ name: string }>) m.set(`${node} ${p.name}`, flatCounters(p));
    return this.counterFrom(m, node, port, name);
  }

  private counterFrom(m: Map<string, Record<string, number>>, node: string, port: string | undefined, name: string): number {
    return m.get(`${node} ${port ?? '*'}`)?.[name] ?? 0;
  }
}

/** A bgp step's state in words: `Established`, or `not Established`. */
function bgpWant(a: Record<string, any>): string {
  return a.notState !== undefined ? `not ${a.notState}` : String(a.state);
}

/** Every session in `state`, or (notState) none in it; a node with no session holds neither. */
function bgpHeld(states: string[], a: Record<string, any>): boolean {
  return states.length > 0 && (a.notState !== undefined ? states.every((x) => x !== a.notState) : states.every((x) => x === a.state));
}

function chain(ckns: string[] | undefined): string {
  return (ckns ?? []).map((c) => `${c.slice(0, 8)}...`).join(', ') || 'empty';
}

/**
 * A counters answer flattened to name -> number: a counter that appears in
 * several places (per receive SC, per direction) is summed; the per-SA
 * copies of an SC's counters (802.1AE-2018 10.7.13, `sas` and `txSas` in a
 * SecY snapshot) are left out, so that a frame counts once.
 */
export function flatCounters(tree: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'number') out[k] = (out[k] ?? 0) + x;
      else if (k !== 'sas' && k !== 'txSas') walk(x);
    }
  };
  walk(tree);
  return out;
}
