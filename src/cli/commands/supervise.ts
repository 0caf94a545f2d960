/**
 * `dxlab supervise LAB --dir DIR` (hidden): the lab's supervisor process,
 * which labUp starts detached (src/lab/supervisor-process.ts does the work).
 * Here the lab's services are composed, since the CLI is the layer that may
 * see them all (cli -> aws -> lab): the AWS API unless `--no-api`, and
 * with the quotas `--quota` raises (`dxlab up --api-quota`), services from modules named with `--service-module` (a module whose
 * default export is a LabService or a list of them; the tests host a small
 * HTTP service so), and the web view with `--ui` (src/web/, `dxlab up --ui`).
 */
import type { Argv } from 'yargs';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { labApiService, type DxQuotas } from '../../aws/index.js';
import { labDir, runSupervisor, type LabService } from '../../lab/index.js';
import { labWebService } from '../../web/index.js';
import { pageScenarios } from '../page-scenarios.js';
import { apiConnections } from '../api-connections.js';
import { CliError } from '../errors.js';
import { QUOTA_HELP, quotaOption } from '../quota-option.js';
import { wrap } from '../lab-context.js';
import { viaApi } from './ui.js';

/**
 * The services every lab gets, by name: the AWS API ('api',
 * src/aws/lab/service.ts), bound to the lab's DX devices; `up --no-api`
 * leaves it out.
 */
export const LAB_SERVICES: ReadonlyArray<{ name: string; make: (o: { quotas: Partial<DxQuotas> }) => LabService }> = [{ name: 'api', make: (o) => labApiService({ quotas: o.quotas }) }];

async function moduleServices(file: string): Promise<LabService[]> {
  const m = (await import(pathToFileURL(resolve(file)).href)) as { default?: LabService | LabService[] };
  const list = Array.isArray(m.default) ? m.default : m.default ? [m.default] : [];
  if (!list.length || !list.every((s) => typeof s?.name === 'string' && typeof s.basePort === 'number' && typeof s.start === 'function')) {
    throw new CliError('usage', `--service-module ${file}: its default export must be a lab service ({name, basePort, start}) or a list of them`);
  }
  return list;
}

export function superviseCommand(y: Argv): Argv {
  return y.command(
    'supervise <lab>',
    false,
    (c) =>
      c
        .positional('lab', { type: 'string', demandOption: true })
        .option('dir', { type: 'string', demandOption: true, describe: "the lab's state folder (checked against the lab's name)" })
        .option('api', { type: 'boolean', default: true, describe: 'host the AWS API (--no-api: not)' })
        .option('ui', { type: 'boolean', default: false, describe: 'host the web view (dxlab up --ui)' })
        .option('service-module', { type: 'string', array: true, describe: 'also host the services this module exports' })
        .option('quota', { type: 'string', array: true, describe: `the API's quotas (dxlab up --api-quota): ${QUOTA_HELP}` }),
    async (a) =>
      superviseRun({ lab: String(a.lab), dir: String(a.dir), api: a.api, ...(a.ui ? { ui: true } : {}), serviceModules: (a['service-module'] ?? []).map(String), quotas: quotaOption(a.quota) }),
  );
}

/**
 * The supervisor process: checks `dir` against the lab's folder, composes
 * the services and runs the supervisor; exits the process when it stops.
 * Also the lean entry's (entry.ts), which calls it without yargs.
 * @throws CliError('usage') for a folder that is not the lab's or a bad service module.
 */
export async function superviseRun(a: { lab: string; dir: string; api: boolean; ui?: boolean; serviceModules: readonly string[]; quotas?: Partial<DxQuotas> }): Promise<never> {
  const lab = a.lab;
  let dir: string;
  try {
    dir = labDir(lab);
  } catch (e) {
    return wrap(e);
  }
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  if (real(a.dir) !== real(dir)) throw new CliError('usage', `--dir ${a.dir} is not the folder of lab ${lab} (${dir})`);
  const services = LAB_SERVICES.filter((s) => a.api || s.name !== 'api').map((s) => s.make({ quotas: a.quotas ?? {} }));
  // After the API: a DX device's mode set from the page goes through it.
  if (a.ui) services.push(labWebService({ viaApi, scenarios: pageScenarios(), connections: apiConnections }));
  for (const f of a.serviceModules) services.push(...(await moduleServices(f)));
  await runSupervisor(lab, services).catch(wrap);
  // The nodes it started are still its children: their handles would keep this process alive.
  process.exit(0);
}
