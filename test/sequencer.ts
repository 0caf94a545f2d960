/**
 * The order vitest starts test files in (vitest.config.ts): the longest
 * first, so that with two files at a time (npm run test:integration) a long
 * file does not start last and run alone at the end. Vitest's own order
 * uses its result cache (node_modules/.vite/vitest), which a fresh clone in
 * CI does not have: it then starts the largest files first, and the three
 * longest integration files (scenarios 281 s, lag-min-links, soak) are
 * among the smallest, so CI ran them last, by themselves.
 *
 * A file's weight: its last duration in vitest's cache when there is one,
 * else DURATIONS_S (seconds in CI, 2026-12; refresh from the cache after a
 * full run), else DEFAULT_S.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds each long integration file took in CI or a full local run (the longest known figure). */
export const DURATIONS_S: Readonly<Record<string, number>> = {
  'test/integration/scenarios.test.ts': 281,
  // Measured alone on a loaded machine (2026-12-06), not yet in a CI run's figures:
  'test/integration/must-encrypt-wire.test.ts': 125,
  'test/integration/wire-faults.test.ts': 110,
  // With the Compose cases and router-switch-dx; the run's shared engine builds the node image in the first container file.
  'test/integration/docker-lab.test.ts': 180,
  'test/integration/aws/lab-api-lag.test.ts': 150,
  'test/integration/attacker.test.ts': 140,
  'test/integration/lag-min-links.test.ts': 118,
  'test/integration/aws/lab-api.test.ts': 83,
  'test/integration/soak.test.ts': 76,
  'test/integration/k8s-pods.test.ts': 70,
  'test/integration/web-ui.test.ts': 75,
  'test/integration/two-hosts.test.ts': 40,
  'test/integration/lag.test.ts': 58,
  'test/integration/provider.test.ts': 53,
  'test/integration/lab.test.ts': 52,
  'test/integration/lag-switch.test.ts': 40,
  'test/integration/link.test.ts': 35,
  'test/integration/lab-output.test.ts': 33,
  'test/integration/link-lab.test.ts': 30,
  'test/integration/aws/lab-api-cutover.test.ts': 27,
  'test/integration/provider-stag.test.ts': 27,
  'test/integration/capture.test.ts': 26,
  'test/integration/aws/cli-workflow.test.ts': 18,
  'test/integration/bgp/builtin-bird.test.ts': 15,
  'test/integration/static-sas.test.ts': 15,
  'test/integration/link-keys.test.ts': 9,
  'test/integration/fastpath.test.ts': 7,
  'test/integration/bgp/macsec-link.test.ts': 7,
  'test/integration/aws/kill9.test.ts': 5,
  'test/integration/io/af-packet.test.ts': 3,
  'test/integration/io/tap-offload.test.ts': 3,
  'test/integration/bgp/tcp-md5.test.ts': 3,
  'test/integration/aws/fuzz-http.test.ts': 3,
  'test/integration/io/tap.test.ts': 1,
  'test/integration/aws/sdk.test.ts': 1,
  'test/integration/aws/concurrency.test.ts': 1,
};

/** A file with no figure: about what an integration file that builds one lab takes. */
export const DEFAULT_S = 30;

/** Milliseconds to expect of each file, from the cache, the table or the default. */
export function expectedMs(file: string, cachedMs: number | undefined): number {
  return cachedMs ?? (DURATIONS_S[file] ?? DEFAULT_S) * 1000;
}

/** `files` (paths from the project root) longest first; equal weights keep their order. */
export function longestFirst<T>(files: readonly T[], weight: (f: T) => number): T[] {
  return files
    .map((f, i) => ({ f, i, w: weight(f) }))
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .map((x) => x.f);
}

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    return longestFirst(files, (s) => {
      const file = relative(root, s.moduleId);
      return expectedMs(file, this.ctx.cache.getFileTestResults(`${s.project.name}:${file}`)?.duration);
    });
  }
}
