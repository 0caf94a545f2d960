/**
 * `npm run -s bench:lag [-- --json] [-- --seconds N]`: a 2-member LAG
 * against a single link, in the same run, on this machine (root), with
 * iperf3 -P 4 (bench/lag-run.ts says how). `bench:link` runs the same
 * comparison among its figures.
 */
import { lagLines, lagVersusSingle } from './lag-run.js';

const json = process.argv.includes('--json');
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 10;

const out = await lagVersusSingle(SECONDS, (m) => process.stderr.write(m + '\n'));
if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
else {
  process.stdout.write(`TCP, iperf3 -P 4, TAP MTU 1500, ${SECONDS} s (both nodes and iperf3 on this machine's cores)\n`);
  for (const l of lagLines(out)) process.stdout.write(l + '\n');
}
