/**
 * `npm run fuzz -- [--target NAME|all] [--count N] [--seed S] [--slowest N] [--json]`:
 * runs fuzz targets (test/fuzz/) for N inputs each (default 1,000,000) and
 * prints inputs per second, the count of each outcome, the largest CPU time
 * one input took, and every finding (crash, hang over 100 ms of CPU,
 * miscount), and with --slowest the N inputs that took the most CPU (the
 * input's position and its text, 300 characters of it). A finding's input is written to test/fixtures/malformed/NAME/,
 * which the unit suite replays; the exit status is 1 when there was any.
 */
import { FUZZ_TARGETS, fuzzTarget, runTarget, saveFinding, type FuzzReport } from '../test/fuzz/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const which = arg('target', 'all');
const count = Number(arg('count', '1000000'));
const seed = Number(arg('seed', '1'));
const slowest = Number(arg('slowest', '0'));
const json = process.argv.includes('--json');
if (!Number.isInteger(count) || count < 1) {
  console.error(`--count must be a whole number above 0, got ${arg('count', '')}`);
  process.exit(2);
}
if (!Number.isInteger(slowest) || slowest < 0) {
  console.error(`--slowest must be a whole number, got ${arg('slowest', '')}`);
  process.exit(2);
}
let targets;
try {
  targets = which === 'all' ? FUZZ_TARGETS : [fuzzTarget(which)];
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}

const reports: FuzzReport[] = [];
for (const t of targets) {
  if (!json) process.stderr.write(`${t.name}: ${t.about}; ${count.toLocaleString('en')} inputs...\n`);
  const r = await runTarget(t, count, seed, { slowest });
  reports.push(r);
  for (const f of r.findings) f.detail = `${f.detail}\n  saved as ${saveFinding(t.name, f)}`;
  if (json) continue;
  const outcomes = Object.entries(r.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `    ${String(v).padStart(9)}  ${k}`)
    .join('\n');
  const crashes = r.findings.filter((f) => f.kind === 'crash').length;
  const hangs = r.findings.filter((f) => f.kind === 'hang').length;
  const miscounts = r.findings.filter((f) => f.kind === 'miscount').length;
  console.log(`${t.name}: ${r.inputs.toLocaleString('en')} inputs in ${r.seconds.toFixed(1)} s, ${Math.round(r.perSecond).toLocaleString('en')} inputs/s (${Math.round(r.inputs / r.cpuSeconds).toLocaleString('en')} per CPU second); crashes ${crashes}, hangs ${hangs}, miscounts ${miscounts}; most CPU for one input ${r.maxCpuMs.toFixed(1)} ms\n${outcomes}`);
  for (const f of r.findings.slice(0, 10)) console.log(`  ${f.kind} at input ${f.index}: ${f.detail.split('\n')[0]}\n  ${f.detail.split('\n').pop()}`);
  if (r.slowest.length) console.log(`  slowest inputs:\n${r.slowest.map((s) => `    ${s.cpuMs.toFixed(1).padStart(7)} ms  input ${s.index}: ${JSON.stringify(Buffer.from(s.input).toString('latin1').slice(0, 300))}`).join('\n')}`);
}
if (json) console.log(JSON.stringify(reports.map((r) => ({ ...r, findings: r.findings.map((f) => ({ kind: f.kind, index: f.index, detail: f.detail })), slowest: r.slowest.map((s) => ({ index: s.index, cpuMs: s.cpuMs, input: Buffer.from(s.input).toString('base64') })) })), null, 2));
process.exit(reports.some((r) => r.findings.length) ? 1 : 0);
