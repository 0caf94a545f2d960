/**
 * `npm run soak [-- --rounds N] [-- --json]` (root; default 20 rounds): kill
 * -9 of `dxlab up` while it builds, of a node under traffic and of the lab's
 * supervisor (which hosts the AWS API) under API writes, at random moments;
 * after each, the lab recovers by itself or `dxlab down` removes all of it,
 * and the state file and the API store are whole (test/faults/soak.ts says
 * exactly what each round checks). Prints one line per fault per round, then
 * the figures; exits 1 when any round found a problem. Not in CI's default
 * run: CI runs 3 rounds (test/integration/soak.test.ts).
 */
import { runSoak, FAST_LIFE_TIME_MS, type SoakRound } from '../test/faults/soak.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(arg('--rounds') ?? 20);
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`--rounds: a positive integer, got '${arg('--rounds')}'\n`);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  process.stderr.write('npm run soak builds namespaces: run it as root\n');
  process.exit(2);
}
const json = process.argv.includes('--json');
const results = await runSoak({ rounds, log: (l) => process.stderr.write(l + '\n') });

const of = (f: SoakRound['fault']) => results.filter((r) => r.fault === f);
const range = (xs: number[]) => (xs.length === 0 ? '-' : `${Math.min(...xs)} to ${Math.max(...xs)} ms (median ${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]})`);
const node = of('node');
const summary = {
  rounds,
  problems: results.filter((r) => r.problems.length > 0).length,
  up: { rounds: of('up').length, downMs: range(of('up').map((r) => r.downMs ?? 0)) },
  node: {
    rounds: node.length,
    restartMs: range(node.map((r) => r.restartMs ?? 0)),
    resecureMs: range(node.map((r) => r.resecureMs ?? 0)),
    withinTwiceLifeTime: node.filter((r) => (r.resecureMs ?? Infinity) <= 2 * FAST_LIFE_TIME_MS).length,
    pingReceived: node.reduce((n, r) => n + (r.ping?.received ?? 0), 0),
    pingSent: node.reduce((n, r) => n + (r.ping?.sent ?? 0), 0),
  },
  supervisor: {
    rounds: of('supervisor').length,
    apiAnswered: of('supervisor').reduce((n, r) => n + (r.api?.answered ?? 0), 0),
    apiStored: of('supervisor').reduce((n, r) => n + (r.api?.stored ?? 0), 0),
    downMs: range(of('supervisor').map((r) => r.downMs ?? 0)),
  },
};
if (json) process.stdout.write(JSON.stringify({ summary, results }, null, 2) + '\n');
else {
  process.stdout.write(`rounds ${rounds}, rounds with a problem ${summary.problems}\n`);
  process.stdout.write(`kill -9 of dxlab up: ${summary.up.rounds} rounds, down ${summary.up.downMs}\n`);
  process.stdout.write(`kill -9 of a node: ${node.length} rounds, restarted by the supervisor after ${summary.node.restartMs}, secured after ${summary.node.resecureMs} (${summary.node.withinTwiceLifeTime} of ${node.length} within 2 x Life Time = ${2 * FAST_LIFE_TIME_MS} ms), ping ${summary.node.pingReceived}/${summary.node.pingSent}\n`);
  process.stdout.write(`kill -9 of the supervisor: ${summary.supervisor.rounds} rounds, API requests answered ${summary.supervisor.apiAnswered}, in the store ${summary.supervisor.apiStored}, down ${summary.supervisor.downMs}\n`);
}
process.exit(summary.problems === 0 ? 0 : 1);
