/**
 * What bin/dxlab.js runs: the two command lines dxlab starts itself, many
 * times per lab, go straight to their code; every other goes to the full
 * command line (main.ts, yargs and every verb).
 *
 * - `node --config FILE`: a node process, as the supervisor starts each
 *   node (runtimes/netns-process.ts);
 * - `supervise LAB --dir DIR [--no-api] [--ui] [--service-module FILE]...`: the
 *   lab's supervisor, as `dxlab up` starts it (supervisor-ref.ts).
 *
 * Loading main.ts cost a node process about 1 s of CPU more than its own
 * modules (measured: 221 modules, yargs and better-sqlite3 against 105, on
 * the 2-core CI machine), for each node of a lab starting at once. Any other
 * spelling of these commands (`--config=FILE`, `--debug`, `--help`) goes
 * through main.ts, whose parsing and messages stay the reference.
 */
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './errors.js';

export type LeanCommand = { verb: 'node'; config: string } | { verb: 'supervise'; lab: string; dir: string; api: boolean; ui?: true; serviceModules: string[] };

/** The lean form of `argv`, or undefined when main.ts must parse it. */
export function leanCommand(argv: readonly string[]): LeanCommand | undefined {
  const value = (v: string | undefined) => (v !== undefined && v !== '' && !v.startsWith('-') ? v : undefined);
  if (argv[0] === 'node') {
    const config = value(argv[2]);
    return argv.length === 3 && argv[1] === '--config' && config ? { verb: 'node', config } : undefined;
  }
  if (argv[0] === 'supervise') {
    const lab = value(argv[1]);
    if (!lab) return undefined;
    let dir: string | undefined;
    let api = true;
    let ui = false;
    const serviceModules: string[] = [];
    for (let i = 2; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--no-api') api = false;
      else if (a === '--ui') ui = true;
      else if ((a === '--dir' || a === '--service-module') && value(argv[i + 1])) {
        const v = argv[++i]!;
        if (a === '--service-module') serviceModules.push(v);
        else if (dir === undefined) dir = v;
        else return undefined;
      } else return undefined;
    }
    return dir ? { verb: 'supervise', lab, dir, api, ...(ui ? { ui: true as const } : {}), serviceModules } : undefined;
  }
  return undefined;
}

/** Runs `argv`; resolves to the exit status (0, 1 failed, 2 usage), as main() does. */
export async function entry(argv: string[]): Promise<number> {
  const lean = leanCommand(argv);
  if (!lean) return (await import('./main.js')).main(argv);
  try {
    if (lean.verb === 'node') await (await import('./node-process.js')).runNodeProcess(lean.config);
    else await (await import('./commands/supervise.js')).superviseRun(lean);
    return EXIT_OK;
  } catch (e) {
    // As main.ts says it: one line on stderr.
    process.stderr.write(`dxlab: ${(e as Error).message}\n`);
    return e instanceof CliError && e.code === 'usage' ? EXIT_USAGE : EXIT_FAILED;
  }
}
