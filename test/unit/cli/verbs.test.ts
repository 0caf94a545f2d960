/**
 * main.ts loads only the module of the verb a command line starts with
 * (VERBS). Its table must name every command and alias yargs knows once
 * all are loaded, and each verb loaded alone must register itself and its
 * aliases: a verb missing from the table would be answered "unknown command"
 * when typed first, and one registered by the wrong loader would be missing.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Argv } from 'yargs';
import { ALIASES, VERBS } from '../../../src/cli/main.js';

const yargs = createRequire(import.meta.url)('yargs') as (argv: string[]) => Argv;

/** The command names and aliases yargs knows after `loads` registered theirs. */
async function known(loads: Array<() => Promise<(y: Argv) => Argv>>): Promise<string[]> {
  const registers = await Promise.all(loads.map((l) => l()));
  const y = registers.reduce((acc, add) => add(acc), yargs([]));
  return (y as unknown as { getInternalMethods(): { getCommandInstance(): { getCommands(): string[] } } }).getInternalMethods().getCommandInstance().getCommands();
}

/** dxlab's command line as the README documents it: a new verb is added here and to VERBS. */
const DOCUMENTED = ['up', 'deploy', 'down', 'destroy', 'status', 'inspect', 'show', 'events', 'exec', 'capture', 'set', 'restart', 'kill', 'wire', 'vif', 'attack', 'scenario', 'config', 'demo', 'graph', 'ui', 'supervise', 'vm-node', 'pcap', 'keys', 'link', 'api', 'image', 'docker', 'k8s', 'compose', 'compose-wire', 'node'];

describe('the verb table', () => {
  it('with every verb loaded, yargs knows exactly the documented commands and aliases, each in the table', async () => {
    expect([...(await known(Object.values(VERBS)))].sort()).toEqual([...DOCUMENTED].sort());
    expect([...Object.keys(VERBS), ...Object.keys(ALIASES)].sort()).toEqual([...DOCUMENTED].sort());
  });

  it('each verb loaded alone registers itself and its aliases only', async () => {
    for (const [verb, load] of Object.entries(VERBS)) {
      const aliases = Object.entries(ALIASES).filter(([, v]) => v === verb).map(([a]) => a);
      expect((await known([load])).sort(), verb).toEqual([verb, ...aliases].sort());
    }
  });
});
