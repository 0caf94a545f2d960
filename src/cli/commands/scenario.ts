/**
 * `dxlab scenario list|run`: the guided exercises of lab/ (src/scenario).
 * `run` brings up the scenario's lab, plays its steps, prints each as it
 * goes (assertions with their figure), pauses at each explanation on a
 * terminal, and exits 0 only when every assertion held.
 */
import type { Argv } from 'yargs';
import { createInterface } from 'node:readline/promises';
import { checkLabName } from '../../lab/index.js';
import { ScenarioError, loadScenario, runScenario, scenarioNames, tryCommands, type Step, type StepOutcome } from '../../scenario/index.js';
import { CliError } from '../errors.js';
import { wrap } from '../lab-context.js';
import { note, printJson, printLine, table } from '../output.js';

function scenarioError(e: unknown): never {
  if (e instanceof ScenarioError) throw new CliError(e.code === 'step' ? 'failed' : 'usage', e.message, { cause: e });
  return wrap(e);
}

function load(name: string) {
  try {
    return loadScenario(name);
  } catch (e) {
    return scenarioError(e);
  }
}

/** A `say` step for people: the explanation, then the commands a student can type. */
function sayText(s: Step, lab: string, named: boolean): string {
  const tries = tryCommands(s, named ? lab : undefined);
  const lines = [s.verb.trim()];
  if (tries.length) lines.push('', 'Look for yourself:', ...tries.map((t) => `  ${t}`));
  return lines.join('\n');
}

export function scenarioCommand(y: Argv): Argv {
  return y.command('scenario', 'guided exercises from lab/: list, run NAME', (c) =>
    c
      .command(
        'list',
        'the scenarios: name, topology, minutes, what each teaches',
        (l) => l.option('json', { type: 'boolean', default: false }),
        (a) => {
          const all = scenarioNames().map((n) => load(n).scenario);
          if (a.json) return printJson(all.map((s) => ({ name: s.name, title: s.title, topology: s.topology, minutes: s.minutes, teaches: s.teaches })));
          printLine(table([['name', 'topology', 'minutes', 'teaches'], ...all.map((s) => [s.name, s.topology.replace(/^.*\//, ''), String(s.minutes), s.teaches])]));
        },
      )
      .command(
        'run <scenario>',
        "bring up a scenario's lab, run its steps with their assertions, take the lab down",
        (r) =>
          r
            .positional('scenario', { type: 'string', demandOption: true, describe: 'a name from dxlab scenario list, or the path of a scenario folder or file' })
            .option('name', { type: 'string', describe: "lab name (default: the scenario's name)" })
            .option('pause', { type: 'boolean', default: true, describe: 'on a terminal, wait for Enter after each explanation (--no-pause: do not)' })
            .option('keep', { type: 'boolean', default: false, describe: 'leave the lab running at the end (dxlab down LAB removes it)' })
            .option('attach', { type: 'boolean', default: false, describe: "run on the lab --name names, already running with the scenario's nodes: neither bring it up nor take it down" })
            .option('json', { type: 'boolean', default: false, describe: "every step's outcome as one JSON document on stdout (the lines go to stderr)" }),
        async (a) => {
          const { scenario, dir } = load(String(a.scenario));
          const lab = a.name ?? scenario.name;
          try {
            checkLabName(lab);
          } catch (e) {
            wrap(e);
          }
          const tty = !!process.stdin.isTTY && !!process.stdout.isTTY;
          const pause = a.pause && tty && !a.json;
          const say = a.json ? note : printLine;
          const rl = pause ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
          say(`scenario ${scenario.name}: ${scenario.title} (lab ${lab})`);
          let result;
          try {
            result = await runScenario(scenario, dir, {
              lab,
              keep: a.keep,
              attach: a.attach,
              progress: (s) => process.stderr.isTTY && note(`  ${s}`),
              onSay: async (s) => {
                say('');
                say(sayText(s, lab, a.name !== undefined));
                if (rl) await rl.question('\n[Enter] to go on ');
                say('');
              },
              onStep: (o: StepOutcome) => o.kind !== 'say' && say(`  ${o.text}`),
            });
          } catch (e) {
            return scenarioError(e);
          } finally {
            rl?.close();
          }
          const checks = result.steps.filter((s) => s.held !== undefined);
          const failed = checks.filter((s) => !s.held).length + result.steps.filter((s) => s.error).length;
          const summary = `scenario ${scenario.name}: ${checks.length - checks.filter((s) => !s.held).length} of ${checks.length} checks held${result.steps.some((s) => s.error) ? '; an action failed, the rest did not run' : ''}${result.kept ? `; lab ${lab} ${a.attach ? 'left running' : 'kept'} (dxlab down ${lab})` : ''}`;
          if (a.json) printJson(result);
          say(summary);
          if (failed) throw new CliError('failed', `scenario ${scenario.name}: ${failed} step${failed === 1 ? '' : 's'} did not hold`);
        },
      )
      .demandCommand(1, 'give a scenario verb: list or run NAME'),
  );
}
