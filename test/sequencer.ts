/**
 * The order vitest starts test files in (vitest.config.ts): the longest
 * first, so that with two files at a time (npm run test:integration) a long
 * file does not start last and run alone at the end. Vitest's own order
 * uses its result cache (node_modules/.vite/vitest), which a fresh clone in
 * CI does not have: it then starts the largest files first, and the three
 * longest integration files (scenarios, lag-min-links, soak) are
 * among the smallest, so CI ran them last, by themselves.
 *
 * A file's weight: its last duration in vitest's cache when there is one,
 * else DURATIONS_S (seconds of a full run; refresh from the cache after a
 * full run), else DEFAULT_S.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each file took in a full local run as CI runs it (2026-12-07: `npm
 * test`'s integration phase under `tini -s`, two at a time, on the 2-core
 * machine shared with other work; wire-faults from the run before, as its
 * figure in that run included a failure's minute). The order is what counts.
 */
export const DURATIONS_S: Readonly<Record<string, number>> = {
  'test/integration/scenarios.test.ts': 161,
  'test/integration/wire-faults.test.ts': 98,
  'test/integration/attacker.test.ts': 82,
  'test/integration/must-encrypt-wire.test.ts': 62,
  'test/integration/docker-lab.test.ts': 49,
  'test/integration/lag.test.ts': 49,
  'test/integration/aws/lab-api-lag.test.ts': 44,
  'test/integration/soak.test.ts': 35,
  'test/integration/lab.test.ts': 31,
  'test/integration/aws/lab-api.test.ts': 28,
  'test/integration/lag-switch.test.ts': 27,
  'test/integration/provider.test.ts': 27,
  'test/integration/link.test.ts': 26,
  'test/integration/node-vif.test.ts': 25,
  'test/integration/lab-controls.test.ts': 25,
  'test/integration/web-ui.test.ts': 24,
  'test/integration/lab-supervisor.test.ts': 24,
  'test/integration/lag-min-links.test.ts': 22,
  'test/integration/aws/lab-api-cutover.test.ts': 21,
  'test/integration/two-hosts.test.ts': 20,
  'test/integration/capture.test.ts': 20,
  'test/integration/static-sas.test.ts': 15,
  'test/integration/aws/cli-workflow.test.ts': 15,
  'test/integration/fastpath.test.ts': 14,
  'test/integration/k8s-pods.test.ts': 14,
  'test/integration/bgp/builtin-bird.test.ts': 14,
  'test/integration/lab-output.test.ts': 11,
  'test/integration/provider-stag.test.ts': 11,
  'test/integration/scenario-pause.test.ts': 10,
  'test/integration/io/af-packet.test.ts': 8,
  'test/integration/link-keys.test.ts': 8,
  'test/integration/bgp/macsec-link.test.ts': 6,
  'test/integration/link-lab.test.ts': 6,
  'test/integration/aws/fuzz-http.test.ts': 6,
  'test/integration/aws/kill9.test.ts': 4,
  'test/integration/bgp/tcp-md5.test.ts': 3,
  'test/integration/io/tap-offload.test.ts': 3,
  'test/integration/io/tap.test.ts': 1,
  'test/integration/aws/concurrency.test.ts': 1,
  'test/integration/aws/sdk.test.ts': 0,
  // Unit files (one worker then, 2026-12-07): the fuzz targets and the native GCM engines first.
  'test/unit/fuzz/targets.test.ts': 59,
  'test/unit/io/native-gcm.test.ts': 41,
};

/** A file with no figure: about what an integration file that builds one lab takes (15 to 25 s in that run). */
export const DEFAULT_S = 20;

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
