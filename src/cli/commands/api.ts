/**
 * `dxlab api serve`: the AWS Direct Connect and Secrets Manager API on its
 * own (no lab: connections are API state only), for the AWS CLI and SDKs.
 */
import type { Argv } from 'yargs';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_API_HOST, DEFAULT_API_PORT, DEFAULT_REGION, LAB_API_SERVICE, addService, findService, labApiService, openStore, removeService, startApiServer, type ApiStore, type DxQuotas, type RunningLabApi } from '../../aws/index.js';
import { labDir, processAlive, readLabState, stateRoot } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { QUOTA_HELP, quotaOption } from '../quota-option.js';
import { note, printJson, printLine } from '../output.js';

/** Access keys from an AWS shared credentials file (`[profile]` sections with aws_access_key_id and aws_secret_access_key). */
export function readCredentialsFile(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  const flush = (s: Record<string, string>) => {
    if (s.aws_access_key_id && s.aws_secret_access_key) keys.set(s.aws_access_key_id, s.aws_secret_access_key);
  };
  let section: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      flush(section);
      section = {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) section[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  flush(section);
  return keys;
}

function strictKeys(file: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  const path = file ?? process.env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  if (file !== undefined && !existsSync(path)) throw new CliError('usage', `--credentials: no file ${path}`);
  if (existsSync(path)) for (const [k, v] of readCredentialsFile(readFileSync(path, 'utf8'))) keys.set(k, v);
  const envId = process.env.AWS_ACCESS_KEY_ID;
  const envSecret = process.env.AWS_SECRET_ACCESS_KEY;
  if (envId && envSecret) keys.set(envId, envSecret);
  if (keys.size === 0) throw new CliError('usage', `--strict-auth needs access keys: none in ${path} nor in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`);
  return keys;
}

/** How many ports from the first one `--lab` tries before it gives up. */
const LAB_PORT_TRIES = 100;
/** How often `--lab` checks that its lab still exists. */
const LAB_GONE_POLL_MS = 1000;

/**
 * `dxlab api serve --lab LAB`: the lab's AWS API in the foreground, as the
 * supervisor would host it, with its `services` entry in the lab's state
 * while it runs.
 */
async function serveLab(lab: string, host: string, port: number | undefined, quiet: boolean, json: boolean, quotas: Partial<DxQuotas>): Promise<void> {
  const state = readLabState(lab);
  if (!state) throw new CliError('failed', `no lab named '${lab}' (dxlab status lists the labs)`);
  const running = findService(lab, LAB_API_SERVICE);
  if (running && processAlive(running.pid)) throw new CliError('failed', `lab ${lab} has its AWS API already: ${running.url} (pid ${running.pid})`);
  const service = labApiService({ requestLog: !quiet, quotas });
  const ctx = { lab, labDir: labDir(lab), host, state: () => readLabState(lab) ?? state, log: (line: string) => note(line) };
  let api: RunningLabApi | undefined;
  const ports = port !== undefined ? [port] : Array.from({ length: LAB_PORT_TRIES }, (_, i) => service.basePort + i);
  let lastError: unknown;
  for (const p of ports) {
    try {
      api = await service.start({ ...ctx, port: p });
      break;
    } catch (e) {
      lastError = e;
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
    }
  }
  if (!api) throw new CliError('failed', `lab ${lab}: cannot start its AWS API: ${(lastError as Error)?.message ?? 'no free port'}`, { cause: lastError });
  addService(lab, { name: LAB_API_SERVICE, port: api.server.port, url: api.url, pid: process.pid });
  const info = { lab, endpoint: api.url, binding: api.binding.description, seeded: api.report.seeded, drift: api.report.drift, unreachable: api.report.unreachable };
  if (json) printJson(info);
  else {
    printLine(`endpoint ${api.url}`);
    printLine(`binding ${info.binding}`);
    for (const d of info.drift) printLine(`drift ${d.port} ${d.connectionId}: ${d.text}`);
    printLine(`try: aws directconnect describe-connections --endpoint-url ${api.url} --region ${api.binding.plan.region}`);
  }
  await new Promise<void>((resolve) => {
    // `dxlab down` removes the lab (and the API's store with it): the API goes with it.
    const gone = setInterval(() => {
      try {
        if (readLabState(lab) !== undefined) return;
      } catch {
        return; // a state file being rewritten, or garbled: the lab is still there
      }
      note(`lab ${lab} is gone (dxlab down): its AWS API stops`);
      done();
    }, LAB_GONE_POLL_MS);
    const done = () => {
      clearInterval(gone);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  try {
    await api.stop();
  } finally {
    removeService(lab, LAB_API_SERVICE, process.pid);
  }
}

export function apiCommand(y: Argv): Argv {
  return y
    .command(
      'serve',
      'serve the AWS Direct Connect and Secrets Manager APIs (AWS JSON 1.1) for the AWS CLI and SDKs: bound to a running lab with --lab, else connections are API state only',
      (c) =>
        c
          .option('port', { type: 'number', describe: `TCP port (0: any free one; default ${DEFAULT_API_PORT}, with --lab the first free one from ${DEFAULT_API_PORT})` })
          .option('lab', { type: 'string', describe: "bind the API to this running lab: its DX ports are the connections (state in the lab's folder)" })
          .option('host', { type: 'string', default: DEFAULT_API_HOST, describe: 'address to listen on (loopback unless you say otherwise)' })
          .option('state', { type: 'string', describe: "SQLite state file (default: api.sqlite in the labs' state folder, /run/dxlab unless DXLAB_STATE_DIR says otherwise; ':memory:' keeps nothing)" })
          .option('strict-auth', { type: 'boolean', default: false, describe: 'verify SigV4 signatures against known access keys (else any credentials pass)' })
          .option('credentials', { type: 'string', describe: 'with --strict-auth: AWS shared credentials file of the accepted keys (default $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY count too)' })
          .option('region', { type: 'string', default: DEFAULT_REGION, describe: 'region of unsigned requests (signed ones name theirs)' })
          .option('account-id', { type: 'string', default: '123456789012', describe: 'the account that owns every resource' })
          .option('provision-seconds', { type: 'number', default: 5, describe: 'how long a new connection stays requested, then pending, and a VIF pending' })
          .option('quota', { type: 'string', array: true, describe: QUOTA_HELP })
          .option('quiet', { type: 'boolean', default: false, describe: 'no line per request on stderr' })
          .option('json', { type: 'boolean', default: false, describe: 'print the endpoint as one JSON document' }),
      async (a) => {
        if (a.port !== undefined && (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535)) throw new CliError('usage', `--port must be 0 to 65535, not ${a.port}`);
        const quotas = quotaOption(a.quota);
        if (a.lab !== undefined) {
          if (a.state !== undefined) throw new CliError('usage', "--state and --lab: a lab's API keeps its state in the lab's folder");
          if (a['strict-auth']) throw new CliError('usage', '--strict-auth and --lab: a lab\'s API takes any credentials (its clients are on loopback)');
          return serveLab(a.lab, a.host, a.port, a.quiet, a.json, quotas);
        }
        const port = a.port ?? DEFAULT_API_PORT;
        if (!(a['provision-seconds'] >= 0)) throw new CliError('usage', `--provision-seconds must be 0 or more, not ${a['provision-seconds']}`);
        if (!/^\d{12}$/.test(a['account-id'])) throw new CliError('usage', `--account-id must be 12 digits, not '${a['account-id']}'`);
        const strictAuth = a['strict-auth'] ? strictKeys(a.credentials) : undefined;
        const file = a.state ?? join(stateRoot(), 'api.sqlite');
        let store: ApiStore;
        try {
          if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
          store = openStore(file);
        } catch (e) {
          throw new CliError('failed', `--state ${file}: ${(e as Error).message}`, { cause: e });
        }
        const ms = a['provision-seconds'] * 1000;
        let server;
        try {
          server = await startApiServer({
            store,
            host: a.host,
            port,
            defaultRegion: a.region,
            accountId: a['account-id'],
            timings: { requestedMs: ms, pendingMs: ms, vifPendingMs: ms },
            quotas,
            ...(strictAuth && { strictAuth }),
            log: (line) => note(line),
            ...(!a.quiet && { requestLog: (line: string) => note(line) }),
          });
        } catch (e) {
          store.close();
          throw new CliError('failed', `cannot listen on ${a.host}:${port}: ${(e as Error).message}`, { cause: e });
        }
        const info = { endpoint: server.url, state: file, strictAuth: strictAuth !== undefined, binding: server.service.binding.description };
        if (a.json) printJson(info);
        else {
          printLine(`endpoint ${server.url}`);
          printLine(`state ${file}`);
          printLine(`binding ${info.binding}`);
          printLine(`try: aws directconnect describe-locations --endpoint-url ${server.url} --region ${a.region}`);
        }
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
        store.close();
      },
    )
    .demandCommand(1, 'api needs a subcommand: serve');
}
