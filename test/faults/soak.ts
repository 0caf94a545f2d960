/**
 * The fault soak (`npm run soak`, bench/soak.ts; 3 rounds as
 * test/integration/soak.test.ts). Each round, on router-dx with the fast MKA
 * profile and `restart: always` on the DX device:
 *
 * 1. `up`: `dxlab up` killed with SIGKILL at a random moment while it
 *    builds; the state file is whole or absent, and `dxlab down` removes
 *    everything (no namespace, process, interface or file of the lab left).
 * 2. `node`: on a lab that is up, under a counting ping across the VIF, the
 *    DX node killed with SIGKILL at a random moment: the supervisor starts it
 *    again and MKA secures again (the time from the new node's start to
 *    secured is printed beside twice MKA Life Time), the ping passes again,
 *    the state file and the API store are whole.
 * 3. `supervisor`: on the same lab, under CreateSecret requests to the
 *    lab's AWS API (a service the supervisor hosts), the supervisor killed
 *    with SIGKILL at a random moment: its services die with it (the API no
 *    longer answers), the nodes keep running and stay secured (they are
 *    their own processes), the state file and the API store are whole and
 *    hold every secret whose creation was answered; then `dxlab down`
 *    removes everything.
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkApiStore, checkStateFile, countingPing, FaultLab, sleep, storeIds } from './lab-host.js';

export type SoakFault = 'up' | 'node' | 'supervisor';

export interface SoakRound {
  round: number;
  fault: SoakFault;
  /** When the kill came, ms after the start of what it interrupted. */
  killAtMs: number;
  /** node: ms from the new node's KaY start to both ends secured (from the nodes' logs); supervisor: ms after the kill at which status showed the nodes secured. */
  resecureMs?: number;
  /** node: ms from the kill to the restarted node's KaY start (its log). */
  restartMs?: number;
  /** node: the counting ping's totals over the round. */
  ping?: { sent: number; received: number };
  /** supervisor: CreateSecret requests answered before the kill, and how many of those the store holds. */
  api?: { answered: number; stored: number };
  /** Problems found (an empty list: the round passed). */
  problems: string[];
  downMs?: number;
}

export interface SoakOptions {
  rounds: number;
  /** @default all three */
  faults?: SoakFault[];
  /** Progress lines. */
  log?: (line: string) => void;
  /** Uniform [0, 1), for the kill moments. @default Math.random */
  random?: () => number;
}

/** MKA Life Time of the fast profile (README "Topology files": hello 0.5 s, life 1.5 s). */
export const FAST_LIFE_TIME_MS = 1500;

/** router-dx with `restart: always` on the DX device (the shipped file already uses the fast profile). */
export function soakTopology(): string {
  const text = readFileSync(join(new URL('../../', import.meta.url).pathname, 'topologies/router-dx.yaml'), 'utf8');
  const out = text.replace('    dx: { kind: dx-device }\n', '    dx: { kind: dx-device, restart: always }\n').replace(/\n  captures: .*\n/, '\n');
  if (!out.includes('restart: always') || !out.includes('profile: fast')) throw new Error('topologies/router-dx.yaml changed shape; update soakTopology');
  return out;
}

const DX_VIF_ADDRESS = '169.254.100.2';

/** A node log's lines (one JSON object each) at or after `since` (epoch ms): message and time. */
function logEvents(file: string, since: number): Array<{ msg: string; at: number }> {
  const out: Array<{ msg: string; at: number }> = [];
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      const e = JSON.parse(l) as { time?: string; msg?: string };
      const at = Date.parse(e.time ?? '');
      if (at >= since && e.msg) out.push({ msg: e.msg, at });
    } catch {
      /* a line cut by the kill */
    }
  }
  return out;
}

/** One awsJson1_1 request to the lab's API; the parsed answer, or undefined when the server did not answer. */
function apiCall(port: number, target: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  const data = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, 'content-length': Buffer.byteLength(data) }, timeout: 10_000 },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end(data);
  });
}

/** The fault soak: `rounds` rounds of each fault; one result per fault per round. */
export async function runSoak(options: SoakOptions): Promise<SoakRound[]> {
  const faults = options.faults ?? ['up', 'node', 'supervisor'];
  const log = options.log ?? (() => {});
  const random = options.random ?? Math.random;
  const results: SoakRound[] = [];
  // How long a whole `up` takes here: the range of the random kill of the next one.
  let upMs = 4000;
  for (let round = 1; round <= options.rounds; round++) {
    if (faults.includes('up')) {
      const r = await killUp(round, random() * upMs);
      results.push(r);
      log(line(r));
    }
    if (faults.includes('node') || faults.includes('supervisor')) {
      const lab = new FaultLab('sk', soakTopology());
      try {
        const t0 = Date.now();
        lab.up();
        upMs = Date.now() - t0;
        await lab.waitFor('secured after up', () => lab.status(), FaultLab.allSecured);
        if (faults.includes('node')) {
          const r = await killNode(lab, round, random() * 3000);
          results.push(r);
          log(line(r));
        }
        if (faults.includes('supervisor')) {
          const r = await killSupervisor(lab, round, random() * 2000);
          results.push(r);
          log(line(r));
        }
      } finally {
        const t = Date.now();
        const d = lab.down();
        const last = results.at(-1);
        if (last && last.round === round && last.fault !== 'up') {
          last.downMs = Date.now() - t;
          if (d.status !== 0) last.problems.push(`dxlab down exited ${d.status}: ${d.stderr.trim()}`);
          last.problems.push(...d.left.map((l) => `left after down: ${l}`));
        } else if (d.status !== 0 || d.left.length > 0) {
          throw new Error(`round ${round}: down failed (${d.status}): ${d.stderr} ${d.left.join('; ')}`);
        }
      }
    }
  }
  return results;
}

function line(r: SoakRound): string {
  const f = [`round ${r.round}`, `${r.fault.padEnd(10)}`, `kill at ${Math.round(r.killAtMs)} ms`];
  if (r.restartMs !== undefined) f.push(`restarted ${r.restartMs} ms`);
  if (r.resecureMs !== undefined) f.push(`secured ${r.resecureMs} ms${r.fault === 'node' ? ` (2 x Life Time ${2 * FAST_LIFE_TIME_MS} ms: ${r.resecureMs <= 2 * FAST_LIFE_TIME_MS ? 'within' : 'OVER'})` : ''}`);
  if (r.ping) f.push(`ping ${r.ping.received}/${r.ping.sent}`);
  if (r.api) f.push(`api answered ${r.api.answered}, stored ${r.api.stored}`);
  if (r.downMs !== undefined) f.push(`down ${r.downMs} ms`);
  f.push(r.problems.length === 0 ? 'ok' : `PROBLEMS: ${r.problems.join('; ')}`);
  return f.join(', ');
}

/** `dxlab up` killed at `atMs`; then the files are checked and `down` must remove everything. */
async function killUp(round: number, atMs: number): Promise<SoakRound> {
  const lab = new FaultLab('su', soakTopology());
  const r: SoakRound = { round, fault: 'up', killAtMs: atMs, problems: [] };
  const child = lab.spawnUp();
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  await sleep(atMs);
  child.kill('SIGKILL');
  await exited;
  const bad = checkStateFile(lab.statePath);
  if (bad) r.problems.push(`state file half-written: ${bad}`);
  const t = Date.now();
  const d = lab.down();
  r.downMs = Date.now() - t;
  if (d.status !== 0) r.problems.push(`dxlab down exited ${d.status}: ${d.stderr.trim()}`);
  r.problems.push(...d.left.map((l) => `left after down: ${l}`));
  return r;
}

/** The DX node killed with SIGKILL `atMs` into a counting ping; the supervisor must bring it back secured. */
async function killNode(lab: FaultLab, round: number, atMs: number): Promise<SoakRound> {
  const r: SoakRound = { round, fault: 'node', killAtMs: atMs, problems: [] };
  const ping = countingPing(lab.netns('router'), DX_VIF_ADDRESS);
  try {
    await sleep(atMs);
    const old = lab.status().nodes.find((n) => n.name === 'dx')!.pid;
    const killed = Date.now();
    process.kill(old, 'SIGKILL');
    await lab.waitFor('dx restarted', () => lab.status(), (s) => s.nodes.some((n) => n.name === 'dx' && n.running && n.pid !== old));
    await lab.waitFor('secured after the restart', () => lab.status(), FaultLab.allSecured);
    // Times from the nodes' own logs, not from polling `status` (a call takes a second or more on a loaded machine).
    const dxLog = logEvents(join(lab.labDir, 'dx.log'), killed);
    const kayStarted = dxLog.find((e) => e.msg === 'kay: started')?.at;
    // The router may never have left `secured` when dx came back within Life Time: then its sign is the new SAK in use.
    const securedAt = ['dx.log', 'router.log'].map((f) => logEvents(join(lab.labDir, f), kayStarted ?? killed).find((e) => e.msg === 'kay: secured' || e.msg === 'kay: sakInUse')?.at);
    if (kayStarted === undefined || securedAt.some((t) => t === undefined)) r.problems.push(`the logs show no KaY start or no secured after the kill: ${JSON.stringify({ kayStarted, securedAt })}`);
    else {
      r.restartMs = kayStarted - killed;
      r.resecureMs = Math.max(...(securedAt as number[])) - kayStarted;
    }
    for (const bad of [checkStateFile(lab.statePath), checkApiStore(join(lab.labDir, 'api.sqlite'))]) if (bad) r.problems.push(bad);
    // The ping passes again: a reply after the link secured (the ARP cache may take a moment).
    const after = countingPing(lab.netns('router'), DX_VIF_ADDRESS);
    await sleep(1500);
    const a = await after.stop();
    if (a.received === 0) r.problems.push(`no ping reply after the node came back (${a.sent} sent)`);
  } finally {
    r.ping = await ping.stop();
  }
  return r;
}

/** The supervisor killed `atMs` into a stream of CreateSecret requests to the lab's API. */
async function killSupervisor(lab: FaultLab, round: number, atMs: number): Promise<SoakRound> {
  const r: SoakRound = { round, fault: 'supervisor', killAtMs: atMs, problems: [] };
  const st = lab.state();
  const api = st.services?.find((s) => s.name === 'api');
  const svPid = st.supervisor?.pid;
  if (!api || !svPid) {
    r.problems.push(`the state file names no supervisor or api service: ${JSON.stringify({ supervisor: st.supervisor, services: st.services })}`);
    return r;
  }
  const answered: string[] = [];
  let stop = false;
  // Two clients writing one secret at a time each, until the server stops answering.
  const client = async (c: number) => {
    for (let i = 0; !stop; i++) {
      const name = `soak-${round}-${c}-${i}`;
      const a = await apiCall(api.port, 'secretsmanager.CreateSecret', { Name: name, SecretString: 'not a key' });
      if (a === undefined) return;
      if (a.status === 200) answered.push(name);
      else r.problems.push(`CreateSecret ${name}: ${a.status} ${JSON.stringify(a.body)}`);
    }
  };
  const clients = [client(0), client(1)];
  await sleep(atMs);
  process.kill(svPid, 'SIGKILL');
  const killed = Date.now();
  await Promise.race([Promise.all(clients), sleep(15_000)]);
  stop = true;
  const storePath = join(lab.labDir, 'api.sqlite');
  for (const bad of [checkStateFile(lab.statePath), checkApiStore(storePath)]) if (bad) r.problems.push(bad);
  const stored = new Set(storeIds(storePath, 'secret'));
  r.api = { answered: answered.length, stored: answered.filter((n) => stored.has(n)).length };
  if (r.api.stored !== r.api.answered) r.problems.push(`answered secrets missing from the store: ${answered.filter((n) => !stored.has(n)).join(', ')}`);
  if ((await apiCall(api.port, 'OvertureService.DescribeConnections', {})) !== undefined) r.problems.push('the API still answers after its supervisor was killed');
  // The nodes are not the supervisor: they keep running and secured.
  const s = await lab.waitFor('status after the supervisor died', () => lab.status(), (x) => x.supervisor?.running === false);
  if (!FaultLab.allSecured(s)) r.problems.push(`not every node running and secured after the supervisor died: ${JSON.stringify(s.nodes)}`);
  r.resecureMs = Date.now() - killed;
  return r;
}

