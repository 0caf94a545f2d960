/**
 * `npm run bench:scale [-- --links N] [-- --fast] [-- --search MAX] [-- --json]`
 * (root; default 32 links, the default MKA profile): a generated topology of
 * N router--DX links (2N node processes, test/faults/scale.ts), every port
 * secured, a ping across each link, RSS per node and in total, the time of
 * `up` and of `down`. With `--search MAX` it then tries N+8, N+16 ... up to
 * MAX links and prints the largest count whose ports all secured within one
 * MKA Life Time of `up` returning. CI runs 8 links as a correctness test
 * (test/integration/scale.test.ts), not timed.
 */
import { runScale, RSS_TARGET_KB, type ScaleResult } from '../test/faults/scale.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const links = Number(arg('--links') ?? 32);
const search = arg('--search') === undefined ? undefined : Number(arg('--search'));
const profile = process.argv.includes('--fast') ? 'fast' : 'default';
const json = process.argv.includes('--json');
for (const [name, v] of [['--links', links], ['--search', search ?? 1]] as const)
  if (!Number.isInteger(v) || v < 1 || v > 256) {
    process.stderr.write(`${name}: an integer from 1 to 256, got '${arg(name)}'\n`);
    process.exit(2);
  }
if (process.getuid?.() !== 0) {
  process.stderr.write('npm run bench:scale builds namespaces: run it as root\n');
  process.exit(2);
}
const log = (l: string) => process.stderr.write(l + '\n');
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
const print = (r: ScaleResult) =>
  [
    `${r.links} links (${r.nodes} nodes, ${profile} MKA profile): up ${(r.upMs / 1000).toFixed(1)} s, every port secured ${(r.securedAfterUpMs / 1000).toFixed(1)} s later (Life Time ${r.lifeTimeMs / 1000} s), ping across ${r.pinged} of ${r.links} links, down ${(r.downMs / 1000).toFixed(1)} s`,
    `  RSS per node ${mb(r.rssKb.min)} to ${mb(r.rssKb.max)} (median ${mb(r.rssKb.median)}), total ${mb(r.rssKb.total)}; over ${mb(RSS_TARGET_KB)}: ${r.rssKb.overTarget.length === 0 ? 'none' : r.rssKb.overTarget.join(', ')}`,
    `  PSS per node (shared code divided among the nodes) median ${mb(r.pssKb.median)}, total ${mb(r.pssKb.total)}`,
    ...(r.left.length > 0 ? [`  LEFT AFTER DOWN: ${r.left.join('; ')}`] : []),
  ].join('\n');

const results: ScaleResult[] = [await runScale(links, { profile, log })];
let largest: number | undefined = results[0]!.securedAfterUpMs <= results[0]!.lifeTimeMs ? links : undefined;
if (search !== undefined) {
  for (let n = links + 8; n <= search; n += 8) {
    try {
      const r = await runScale(n, { profile, log, secureWithinMs: 180_000 });
      results.push(r);
      if (r.securedAfterUpMs > r.lifeTimeMs || r.pinged < r.links) break;
      largest = n;
    } catch (e) {
      log(`${n} links: ${(e as Error).message}`);
      break;
    }
  }
}
if (json) process.stdout.write(JSON.stringify({ profile, results, largestWithinLifeTime: largest ?? null }, null, 2) + '\n');
else {
  for (const r of results) process.stdout.write(print(r) + '\n');
  if (search !== undefined || largest !== undefined) process.stdout.write(`largest count secured within one Life Time of up: ${largest ?? `below ${links}`}${search !== undefined ? ` (tried up to ${search})` : ''}\n`);
}
process.exit(results.every((r) => r.pinged === r.links && r.left.length === 0) ? 0 : 1);
