/**
 * The `dxlab` command: one yargs program, one file per verb in commands/.
 * Exit status: 0 success, 1 the operation failed, 2 a usage error. Errors are
 * one line on stderr naming the argument or file; a stack trace only with --debug.
 */
import { createRequire } from 'node:module';
import type yargsEsm from 'yargs';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './errors.js';
import { pcapCommand } from './commands/pcap.js';
import { keysCommand } from './commands/keys.js';
import { nodeCommand, nodeRun } from './commands/node.js';
import { linkCommand } from './commands/link.js';
import { upCommand } from './commands/up.js';
import { downCommand } from './commands/down.js';
import { statusCommand } from './commands/status.js';
import { showCommand } from './commands/show.js';
import { eventsCommand } from './commands/events.js';
import { execCommand } from './commands/exec.js';
import { captureCommand } from './commands/capture.js';
import { setCommand } from './commands/set.js';
import { killCommand, restartCommand } from './commands/restart.js';
import { wireCommand } from './commands/wire.js';
import { vifCommand } from './commands/vif.js';
import { demoCommand } from './commands/demo.js';
import { graphCommand } from './commands/graph.js';
import { uiCommand } from './commands/ui.js';
import { apiCommand } from './commands/api.js';
import { superviseCommand } from './commands/supervise.js';
import { attackCommand } from './commands/attack.js';
import { imageCommand } from './commands/image.js';
import { dockerCommand } from './commands/docker.js';
import { vmNodeCommand } from './commands/vm-node.js';
import { scenarioCommand } from './commands/scenario.js';
import { configCommand } from './commands/config.js';
import { VERSION } from './version.js';
import { helpWidth, separateGluedHints } from './help-layout.js';

/*
 * yargs' CommonJS build, not its ES module: the ES build lays help text out
 * with cliui's stand-in `wrap`, which cuts lines every N characters,
 * mid-word ("Direct Conn\nect"); the CommonJS build wraps at word boundaries
 * with wrap-ansi (yargs issue #2112, open for yargs 17, fixed in 18).
 */
const yargs = createRequire(import.meta.url)('yargs') as typeof yargsEsm;

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  // A reader that stops early (`| head`) is not an error of ours.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_OK);
    throw e;
  });
  let usageError: string | undefined;
  const width = helpWidth(process.stdout.isTTY ? process.stdout.columns : undefined, process.env);
  const program = [upCommand, downCommand, statusCommand, showCommand, eventsCommand, execCommand, captureCommand, setCommand, restartCommand, killCommand, wireCommand, vifCommand, attackCommand, scenarioCommand, configCommand, demoCommand, graphCommand, uiCommand, superviseCommand, vmNodeCommand].reduce((y, add) => add(y), yargs(argv))
    .scriptName('dxlab')
    .usage('$0 <command> [options]\n\nA lab of userspace MACsec (IEEE 802.1AE) endpoints with MKA and the AWS Direct Connect encryption modes.')
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
    .command('pcap', 'offline tools for capture files: inspect, decrypt, encrypt', pcapCommand)
    .command('keys', 'MACsec key material: generate CKN/CAK pairs, derive ICK/KEK', keysCommand)
    .command('link', 'two nodes on a veth between two namespaces: up, down, status', linkCommand)
    .command('api', 'the AWS Direct Connect and Secrets Manager APIs for the AWS CLI and SDKs: serve', apiCommand)
    .command('image', 'images: the linux-peer guest (VM nodes) and the node image (docker runtime): build, check', imageCommand)
    .command('docker', 'a private Docker engine for the docker runtime: start, stop', dockerCommand)
    .command('node', 'run one lab device (--config FILE), or talk to a running one through its control socket', nodeCommand, nodeRun)
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
