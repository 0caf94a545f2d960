/**
 * A usage error exits 2, a failed operation 1 (README, "Exit status"; see
 * src/cli/errors.ts). `.check()` callbacks used to throw plain `Error`s that
 * yargs' `.fail` handler passed on and main() counted as failures: `dxlab
 * node` with neither --config nor a subcommand exited 1. main() runs in this
 * process, as in lab-names.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { tempDir } from '../../helpers/tmp.js';

const scratch = tempDir('dxlab-usage-');

async function run(...argv: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { status: await main(argv), stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('usage errors exit 2', () => {
  it.each([
    [['node'], 'give --config FILE'],
    [['node', 'capture', '--socket', join(scratch, 'rt.sock'), '--stop', 'x.pcapng', '--out', 'y.pcapng'], '--stop takes no --out'],
    [['capture', 'rt', 'eth1'], 'give one of --wire'],
    [['capture', 'rt', 'eth1', '--wire', '--duration', '-1'], '--duration must be a positive number'],
    [['nosuchverb'], 'nosuchverb'],
    [['api', 'serve', '--quota', 'vifs-per-connection=60'], '--quota: quota \'vifs-per-connection=60\': expected NAME=N with NAME one of connections-per-location, lags-per-region'],
    [['api', 'serve', '--quota', 'connections-per-location=0'], '--quota: quota connections-per-location: expected a whole number'],
    // Refused before a lab is made: nothing to clean up, no namespace touched.
    [['up', 'topologies/router-dx.yaml', '--name', 'never-made', '--api-quota', 'lags=3'], "--api-quota: quota 'lags=3': expected NAME=N"],
    [['up', 'topologies/router-dx.yaml', '--name', 'never-made', '--no-api', '--api-quota', 'lags-per-region=3'], '--api-quota: the lab has no API to raise quotas of (--no-api)'],
  ])('dxlab %j', async (argv, said) => {
    const r = await run(...argv);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(said);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('but a command that fails with good arguments exits 1', async () => {
    const r = await run('node', 'status', '--socket', join(scratch, 'absent.sock'));
    expect(r.status, r.stderr).toBe(1);
  });
});
