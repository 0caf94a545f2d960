/**
 * A `say` step's commands for a student to type (its `try`), with the lab's
 * name added when it is not the scenario's own, so that what the student
 * types reaches this lab. Shared by the terminal (`dxlab scenario run`) and
 * the web view's scenario panel.
 */
import type { Step } from './parse.js';

/**
 * The step's `try` commands; with `lab`, each `dxlab` one carries `--name lab`
 * (before a ` -- `, after which the words are the command's: dxlab exec router -- ping ...).
 */
export function tryCommands(s: Step, lab?: string): string[] {
  const tries = (s.args.try as string[] | undefined) ?? [];
  if (lab === undefined) return [...tries];
  return tries.map((t) => (!t.startsWith('dxlab ') || t.includes('--name') ? t : t.includes(' -- ') ? t.replace(' -- ', ` --name ${lab} -- `) : `${t} --name ${lab}`));
}
