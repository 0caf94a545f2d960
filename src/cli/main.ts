/**
 * The `dxlab` command: one yargs program, one file per verb in commands/.
 * Exit status: 0 success, 1 the operation failed, 2 a usage error. Errors are
 * one line on stderr naming the argument or file; a stack trace only with --debug.
 */
import { createRequire } from 'node:module';
import type yargsEsm from 'yargs';
import type { Argv } from 'yargs';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './errors.js';
import { VERSION } from './version.js';
import { helpWidth, separateGluedHints } from './help-layout.js';

/*
 * yargs' CommonJS build, not its ES module: the ES build lays help text out
 * with cliui's stand-in `wrap`, which cuts lines every N characters,
 * mid-word ("Direct Conn\nect"); the CommonJS build wraps at word boundaries
 * with wrap-ansi (yargs issue #2112, open for yargs 17, fixed in 18).
 */
const yargs = createRequire(import.meta.url)('yargs') as typeof yargsEsm;

type Register = (y: Argv) => Argv;
/** `.command(name, description, builder)` as one Register. */
const group = (name: string, description: string, builder: (y: Argv) => Argv): Register => (y) => y.command(name, description, builder);

/**
 * Each verb (and alias) and how to load what registers it. A command line
 * that starts with a verb loads that verb's module only: loading all of them
 * cost each `dxlab status` or `show` (which tests and scripts run hundreds of
 * times) about a third more module files. Anything else (no verb, --help,
 * a typo that yargs should answer with "did you mean") loads all.
 * test/unit/cli/verbs.test.ts checks that this table names each command yargs knows.
 */
export const VERBS: Record<string, () => Promise<Register>> = {
  up: async () => (await import('./commands/up.js')).upCommand,
  down: async () => (await import('./commands/down.js')).downCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  show: async () => (await import('./commands/show.js')).showCommand,
  events: async () => (await import('./commands/events.js')).eventsCommand,
  exec: async () => (await import('./commands/exec.js')).execCommand,
  capture: async () => (await import('./commands/capture.js')).captureCommand,
  set: async () => (await import('./commands/set.js')).setCommand,
  restart: async () => (await import('./commands/restart.js')).restartCommand,
  kill: async () => (await import('./commands/restart.js')).killCommand,
  wire: async () => (await import('./commands/wire.js')).wireCommand,
  vif: async () => (await import('./commands/vif.js')).vifCommand,
  attack: async () => (await import('./commands/attack.js')).attackCommand,
  scenario: async () => (await import('./commands/scenario.js')).scenarioCommand,
  config: async () => (await import('./commands/config.js')).configCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  graph: async () => (await import('./commands/graph.js')).graphCommand,
  ui: async () => (await import('./commands/ui.js')).uiCommand,
  supervise: async () => (await import('./commands/supervise.js')).superviseCommand,
  'vm-node': async () => (await import('./commands/vm-node.js')).vmNodeCommand,
  pcap: async () => group('pcap', 'offline tools for capture files: inspect, decrypt, encrypt', (await import('./commands/pcap.js')).pcapCommand),
  keys: async () => group('keys', 'MACsec key material: generate CKN/CAK pairs, derive ICK/KEK', (await import('./commands/keys.js')).keysCommand),
  link: async () => group('link', 'two nodes on a veth between two namespaces: up, down, status', (await import('./commands/link.js')).linkCommand),
  api: async () => group('api', 'the AWS Direct Connect and Secrets Manager APIs for the AWS CLI and SDKs: serve', (await import('./commands/api.js')).apiCommand),
  image: async () => group('image', 'images: the linux-peer guest (VM nodes) and the node image (docker runtime): build, check', (await import('./commands/image.js')).imageCommand),
  k8s: async () => (await import('./commands/k8s.js')).k8sCommand,
  compose: async () => (await import('./commands/compose.js')).composeCommand,
  'compose-wire': async () => (await import('./commands/compose.js')).composeWireCommand,
  docker: async () => group('docker', 'a private Docker engine for the docker runtime: start, stop', (await import('./commands/docker.js')).dockerCommand),
  node: async () => {
    const { nodeCommand, nodeRun } = await import('./commands/node.js');
    return (y) => y.command('node', 'run one lab device (--config FILE), or talk to a running one through its control socket', nodeCommand, nodeRun);
  },
};
/** The aliases yargs knows for a verb: loading the verb registers them. */
export const ALIASES: Record<string, string> = { deploy: 'up', destroy: 'down', inspect: 'status' };

/** What registers the commands `argv` needs: its verb's, or every one (in the order --help lists them). */
async function registrations(argv: readonly string[]): Promise<Register[]> {
  const verb = argv[0] !== undefined ? (ALIASES[argv[0]] ?? argv[0]) : undefined;
  const one = verb !== undefined && Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  return Promise.all((one ? [one] : Object.values(VERBS)).map((load) => load()));
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  // A reader that stops early (`| head`) is not an error of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_OK);
    throw e;
  });
  let usageError: string | undefined;
  const width = helpWidth(process.stdout.isTTY ? process.stdout.columns : undefined, process.env);
  const program = (await registrations(argv)).reduce((y, add) => add(y), yargs(argv))
    .scriptName('dxlab')
    .usage('$0 <command> [options]\n\nA lab of userspace MACsec (IEEE 802.1AE) endpoints with MKA and the AWS Direct Connect encryption modes.')
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
    .demandCommand(1, 'give a command; see dxlab --help')
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(width)
    .exitProcess(false)
    // yargs calls this for what is wrong with the arguments: its own checks, a
    // `.check()` callback that threw (any Error, not only CliError) and a
    // `coerce` that threw. A command handler's failure does not come here (a
    // parse callback is given, so it rejects parseAsync) and exits 1 below.
    .fail((msg: string | null, err: Error | undefined) => {
      if (err instanceof CliError) throw err;
      if (msg === null && err) throw err;
      usageError = msg ?? 'invalid arguments';
      throw new CliError('usage', usageError, { cause: err });
    });
  try {
    // With a callback yargs hands over what it would print (help, version) instead of printing it.
    let output = '';
    try {
      await program.parseAsync(argv, {}, (_err, _argv, text) => {
        output = text;
      });
    } finally {
      if (output) process.stdout.write(separateGluedHints(output, width) + '\n');
    }
    return EXIT_OK;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (usageError !== undefined) {
      process.stderr.write(`dxlab: ${usageError}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`dxlab: ${err.message}\n`);
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
    return e instanceof CliError && e.code === 'usage' ? EXIT_USAGE : EXIT_FAILED;
  }
}
