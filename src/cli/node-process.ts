/**
 * The node process (`dxlab node --config FILE`, as a lab's supervisor starts
 * each node): one lab device until SIGTERM or SIGINT. Kept apart from the
 * command line's other verbs so that entry.ts can start a node without
 * loading yargs and every command (the AWS service, scenarios, the image
 * builder): a lab's nodes start in parallel on a few cores, and each one's
 * module loading is on the way to `dxlab up` returning.
 */
import { IoError } from '../io/index.js';
import { LabNode, NodeError, kernelDevicesWith, loadNodeConfig } from '../node/index.js';
import { CliError } from './errors.js';
import { nodeDeviceOptions, nodeOverrides } from './node-env.js';

/**
 * Runs the node of `configPath` until SIGTERM or SIGINT, then stops it.
 * `crypto` is `dxlab node --crypto`. The node process's entry: the one place
 * its environment overrides are read (node-env.ts).
 * @throws CliError('usage') for a bad configuration or variable, CliError('failed') when the node cannot start.
 */
export async function runNodeProcess(configPath: string, crypto?: string): Promise<void> {
  // Milliseconds since the process began: Node.js and the modules loaded so far.
  const loadedMs = performance.now();
  const overrides = nodeOverrides(process.env, crypto);
  const devices = nodeDeviceOptions(process.env);
  let node: LabNode;
  try {
    node = new LabNode(loadNodeConfig(configPath, overrides), kernelDevicesWith(devices));
  } catch (e) {
    if (e instanceof NodeError) throw new CliError('usage', `--config ${e.message}`, { cause: e });
    throw e;
  }
  try {
    await node.start();
  } catch (e) {
    if (e instanceof NodeError || e instanceof IoError) throw new CliError('failed', e.message, { cause: e });
    throw e;
  }
  // Where a slow start went (README, "Start-up and teardown times").
  node.log.info('startup', { modulesMs: Math.round(loadedMs), startMs: Math.round(performance.now() - loadedMs) });
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      node.log.info('stopping', { signal: sig });
      node.stop().then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
