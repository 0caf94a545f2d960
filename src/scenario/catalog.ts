/**
 * The scenarios that ship: one folder per exercise in lab/ (beside this
 * package's dist/ and src/), each with scenario.yaml and its guide README.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError } from './errors.js';
import { parseScenario, type Scenario } from './parse.js';

/** lab/ of this checkout or installed package. */
export const LAB_ROOT = resolve(fileURLToPath(new URL('../../lab', import.meta.url)));
export const SCENARIO_FILE = 'scenario.yaml';
export const GUIDE_FILE = 'README.md';

/** Names of the folders of `root` holding a scenario.yaml, sorted. */
export function scenarioNames(root = LAB_ROOT): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, SCENARIO_FILE)))
    .map((d) => d.name)
    .sort();
}

/**
 * A scenario by its name (a folder of `root`) or by the path of its folder or file.
 * @throws ScenarioError('notFound') when there is none; ScenarioError('file') for a bad file.
 */
export function loadScenario(nameOrPath: string, root = LAB_ROOT): { scenario: Scenario; dir: string } {
  let dir: string;
  if (/^[a-z0-9][a-z0-9-]{0,63}$/.test(nameOrPath)) dir = join(root, nameOrPath);
  else dir = nameOrPath.endsWith('.yaml') ? resolve(nameOrPath, '..') : resolve(nameOrPath);
  const file = nameOrPath.endsWith('.yaml') ? resolve(nameOrPath) : join(dir, SCENARIO_FILE);
  if (!existsSync(file)) throw new ScenarioError('notFound', `no scenario '${nameOrPath}' (${file} does not exist); dxlab scenario list shows them: ${scenarioNames(root).join(', ') || 'none'}`);
  return { scenario: parseScenario(readFileSync(file, 'utf8'), file), dir };
}
