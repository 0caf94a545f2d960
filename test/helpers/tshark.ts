import { spawnSync } from 'node:child_process';

/**
 * Runs tshark (from apt; .ci/run installs it) on a capture with a display
 * filter and field list, returning one line per matching frame.
 * @throws Error when tshark is missing or cannot read the file.
 */
export function tshark(file: string, filter: string | undefined, fields: string[]): string[] {
  const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  if (filter) args.push('-Y', filter);
  // A capture of a TCP stream lists hundreds of thousands of frames: more than spawnSync's 1 MiB of output by default (ENOBUFS).
  const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw new Error(`tshark not runnable (install it: apt-get install tshark): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`tshark -r ${file} exited ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

/**
 * Frames tshark marks malformed or with an expert error, with their protocols
 * and messages; `exclude` is a display filter of frames to leave out.
 */
export function tsharkProblems(file: string, exclude?: string): string[] {
  const problems = '(_ws.malformed || _ws.expert.severity == error)';
  return tshark(file, exclude ? `${problems} && !(${exclude})` : problems, ['frame.number', 'frame.protocols', '_ws.expert.message']);
}
