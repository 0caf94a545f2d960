/**
 * The lab's supervisor process (`dxlab supervise LAB --dir DIR`, started by
 * labUp, detached): one per lab, living as long as the lab. It
 *
 * - starts the node processes itself (supervisor.ts), so it is their parent:
 *   it reaps them, logs each exit, records it in the state file, and
 *   restarts a node whose `restart:` policy says so;
 * - hosts the lab's services (services.ts) on ports chosen per lab, and
 *   records them in the state file's `services`;
 * - answers on its control socket (`supervisor.sock` in the lab's folder, one
 *   JSON object per line each way, as a node's): `status`, `killNode`,
 *   `restartNode`, `stop`; answers carry no key material;
 * - logs what it does to stderr, which labUp points at `supervisor.log`, in
 *   the nodes' line format (node/logger.ts).
 *
 * On `stop` or SIGTERM it stops restarting, stops its services, removes its
 * socket and exits, leaving the nodes running: `down` then takes the TAPs
 * down and stops the nodes in its own order (teardown.ts), as it does when
 * the supervisor is gone.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { JsonLineServer, createLogger, type JsonRequest } from '../node/index.js';
import { LabError } from './errors.js';
import { readLabState, updateLabState, type LabState } from './lab.js';
import { processAlive, stopProcess } from './host.js';
import { isLabNodeProcess, nodeProcessesOf } from './node-control.js';
import { labDir } from './paths.js';
import { nodeRuntime } from './runtimes/index.js';
import { startLabService, type LabService, type LabServiceEntry, type RunningLabService } from './services.js';
import { Supervisor, type SupervisedNodeView } from './supervisor.js';
import { supervisorSocket } from './supervisor-ref.js';
import { existingLabDir } from './state-dir.js';
import type { PhaseTiming } from './timings.js';

export interface RunSupervisorOptions {
  /** Where services listen. @default '127.0.0.1' */
  host?: string;
}


type Phase = 'starting' | 'running' | 'failed' | 'stopping';

/**
 * Runs the supervisor of a lab whose state file labUp wrote; resolves when
 * it has stopped (`stop` on its socket, SIGTERM or SIGINT).
 * @throws LabError('notFound') when the lab has no state, 'unsafePath' as state-dir.ts.
 */
export async function runSupervisor(lab: string, services: readonly LabService[], o: RunSupervisorOptions = {}): Promise<void> {
  // Milliseconds since this process began (performance's time origin): Node.js itself and the modules loaded so far.
  const timings: PhaseTiming[] = [{ phase: 'Node.js start and module loading', ms: Math.round(performance.now()) }];
  const spawnedAt = new Map<string, number>();
  const dir = existingLabDir(lab);
  const initial = dir ? readLabState(lab) : undefined;
  if (!dir || !initial) throw new LabError('notFound', `no lab named '${lab}' in ${labDir(lab)}`);
  const log = createLogger('info', 'supervisor', (l) => process.stderr.write(l));
  const host = o.host ?? '127.0.0.1';
  const socketPath = supervisorSocket(dir);
  let phase: Phase = 'starting';
  let failure: string | undefined;
  const running: Array<{ entry: LabServiceEntry; service: RunningLabService }> = [];

  const nodeOf = (name: string) => initial.nodes.find((n) => n.name === name)!;
  const sup = new Supervisor(
    initial.nodes.map((n) => ({ name: n.name, ...(n.restart ? { restart: n.restart } : {}) })),
    {
      clock: { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout) },
      spawn: (name, onExit) => {
        const n = nodeOf(name);
        spawnedAt.set(name, performance.now());
        return nodeRuntime(n.runtime).launch({ lab, name, netns: n.netns, config: n.config, log: n.log, socket: n.socket, pid: 0 }, onExit);
      },
      ready: async (name, pid) => {
        const n = nodeOf(name);
        await nodeRuntime(n.runtime).ready({ lab, name, netns: n.netns, config: n.config, log: n.log, socket: n.socket, pid });
        if (phase === 'starting') timings.push({ phase: `node ${name}: spawn to first answer`, ms: Math.round(performance.now() - (spawnedAt.get(name) ?? 0)) });
      },
      log: (level, msg, fields) => log[level](msg, fields),
      // Twice the cores: starting nodes are CPU-bound (module loading), with a little I/O to overlap.
      startConcurrency: 2 * availableParallelism(),
      changed: (v) => {
        try {
          saveNode(lab, v);
        } catch (e) {
          // A state file removed or garbled under a running lab: the supervisor goes on; `down` works by names.
          log.warn('could not record the node in the state file', { node: v.name, error: (e as Error).message });
        }
      },
    },
  );

  /**
   * Processes of the node that are not the supervisor's child (started by
   * hand, or by `dxlab restart` while no supervisor ran), found by their
   * command line as `down` finds them: stopped too, so that no two
   * processes of one node run.
   */
  const stopStrays = async (name: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<number[]> => {
    const own = sup.view(name);
    const strays = nodeProcessesOf(nodeOf(name).config).filter((pid) => !(own.running && pid === own.pid));
    for (const pid of strays) {
      log.info('stopping a process of the node the supervisor did not start', { node: name, pid, signal });
      if (signal === 'SIGTERM') await stopProcess(pid);
      else {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone meanwhile */
        }
        while (processAlive(pid) && isLabNodeProcess(pid, nodeOf(name).config)) await new Promise((r) => setTimeout(r, 20));
      }
    }
    return strays;
  };

  const status = () => ({
    lab,
    pid: process.pid,
    phase,
    ...(failure ? { error: failure } : {}),
    timings,
    nodes: sup.views(),
    services: running.map((r) => r.entry),
  });

  let stopped!: () => void;
  const done = new Promise<void>((r) => (stopped = r));
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    phase = 'stopping';
    log.info('stopping', { why });
    sup.stop();
    for (const r of running.splice(0)) {
      await r.service.stop().catch((e: Error) => log.warn('service did not stop cleanly', { service: r.entry.name, error: e.message }));
      log.info('service stopped', { service: r.entry.name });
    }
    try {
      updateLabState(lab, (s) => {
        s.services = (s.services ?? []).filter((x) => x.pid !== process.pid);
      });
    } catch (e) {
      log.warn('could not update the state file', { error: (e as Error).message });
    }
    await server.close();
    log.info('stopped; the nodes run on until dxlab down stops them');
    stopped();
  };

  // One JSON object per line each way, as a node's control socket; answers are ended, not cut, at stop.
  const handle = async (req: JsonRequest): Promise<unknown> => {
    switch (req.cmd) {
      case 'status':
        return status();
      case 'killNode': {
        const name = nodeName(req, sup);
        const strays = await stopStrays(name, 'SIGKILL');
        const r = await sup.killNode(name);
        return { ...r, pids: [...r.pids, ...strays], killed: r.killed || strays.length > 0 };
      }
      case 'restartNode': {
        const name = nodeName(req, sup);
        const strays = await stopStrays(name, 'SIGTERM');
        const r = await sup.restartNode(name);
        return { ...r, stoppedPids: [...r.stoppedPids, ...strays] };
      }
      case 'stop':
        // Answered first, then stopped: the socket goes away with it.
        setImmediate(() => void stop('stop asked on the control socket'));
        return { stopping: true };
      default:
        throw new LabError('badRequest', `unknown cmd '${String(req.cmd)}': expected status, killNode, restartNode or stop`);
    }
  };
  const server = new JsonLineServer(socketPath, { handle, codeOf: (e) => (e instanceof LabError ? e.code : undefined), log, endOnClose: true });
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await server.listen();
  updateLabState(lab, (s) => {
    s.supervisor = { pid: process.pid, cmdline: ownCmdline(), socket: socketPath, startedAt: new Date().toISOString() };
  });
  log.info('supervising', { lab, pid: process.pid, nodes: initial.nodes.map((n) => n.name), services: services.map((s) => s.name) });

  // Not awaited: a SIGTERM (`down`, or labUp giving up) while nodes still start ends the supervisor at once.
  void (async () => {
    try {
      const t0 = performance.now();
      await sup.startAll();
      timings.push({ phase: 'every node answers', ms: Math.round(performance.now() - t0) });
      log.info('every node answers');
      for (const service of services) {
        if (stopping) break;
        const ts = performance.now();
        const { port, running: r } = await startLabService(service, {
          lab,
          labDir: dir,
          host,
          state: () => readLabState(lab) as LabState,
          log: (line) => log.info(line, { service: service.name }),
        });
        const entry: LabServiceEntry = { name: service.name, port, url: r.url, pid: process.pid };
        running.push({ entry, service: r });
        updateLabState(lab, (s) => {
          s.services = [...(s.services ?? []).filter((x) => !(x.pid === process.pid && x.name === entry.name)), entry];
        });
        timings.push({ phase: `service ${service.name} started`, ms: Math.round(performance.now() - ts) });
        log.info('service running', { service: service.name, port, url: r.url });
      }
      if (!stopping) phase = 'running';
    } catch (e) {
      failure = (e as Error).message;
      phase = 'failed';
      log.error('start failed', { error: failure });
    }
  })();
  await done;
}

function nodeName(req: Record<string, unknown>, sup: Supervisor): string {
  const n = req.node;
  if (typeof n !== 'string' || n === '') throw new LabError('badRequest', `'node' must be a non-empty string`);
  if (!sup.has(n)) throw new LabError('notFound', `no node '${n}' in this lab`);
  return n;
}

/** What the supervisor knows of a node, written into the lab's state file. */
function saveNode(lab: string, v: SupervisedNodeView): void {
  updateLabState(lab, (s) => {
    const n = s.nodes.find((x) => x.name === v.name);
    if (!n) return;
    n.pid = v.pid;
    if (v.restarts) n.restarts = v.restarts;
    if (v.exited) n.exited = v.exited;
    if (v.killedAt) n.killedAt = v.killedAt;
    else delete n.killedAt;
    if (v.restartAt) n.restartAt = v.restartAt;
    else delete n.restartAt;
  });
}

function ownCmdline(): string[] {
  const argv = readFileSync('/proc/self/cmdline', 'utf8').split('\0');
  if (argv.at(-1) === '') argv.pop();
  return argv;
}

