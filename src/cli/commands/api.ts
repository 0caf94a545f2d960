/**
 * `dxlab api serve`: the AWS Direct Connect and Secrets Manager API on its
 * own (no lab: connections are API state only), for the AWS CLI and SDKs.
 */
import type { Argv } from 'yargs';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_API_HOST, DEFAULT_API_PORT, DEFAULT_REGION, openStore, startApiServer, type ApiStore } from '../../aws/index.js';
import { stateRoot } from '../../lab/index.js';
import { CliError } from '../errors.js';
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

export function apiCommand(y: Argv): Argv {
  return y
    .command(
      'serve',
      'serve the AWS Direct Connect and Secrets Manager APIs (AWS JSON 1.1) for the AWS CLI and SDKs; no lab: connections are API state only',
      (c) =>
        c
          .option('port', { type: 'number', default: DEFAULT_API_PORT, describe: 'TCP port (0: any free one)' })
          .option('host', { type: 'string', default: DEFAULT_API_HOST, describe: 'address to listen on (loopback unless you say otherwise)' })
          .option('state', { type: 'string', describe: "SQLite state file (default: api.sqlite in the labs' state folder, /run/dxlab unless DXLAB_STATE_DIR says otherwise; ':memory:' keeps nothing)" })
          .option('strict-auth', { type: 'boolean', default: false, describe: 'verify SigV4 signatures against known access keys (else any credentials pass)' })
          .option('credentials', { type: 'string', describe: 'with --strict-auth: AWS shared credentials file of the accepted keys (default $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY count too)' })
          .option('region', { type: 'string', default: DEFAULT_REGION, describe: 'region of unsigned requests (signed ones name theirs)' })
          .option('account-id', { type: 'string', default: '123456789012', describe: 'the account that owns every resource' })
          .option('provision-seconds', { type: 'number', default: 5, describe: 'how long a new connection stays requested, then pending, and a VIF pending' })
          .option('quiet', { type: 'boolean', default: false, describe: 'no line per request on stderr' })
          .option('json', { type: 'boolean', default: false, describe: 'print the endpoint as one JSON document' }),
      async (a) => {
        if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new CliError('usage', `--port must be 0 to 65535, not ${a.port}`);
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
            port: a.port,
            defaultRegion: a.region,
            accountId: a['account-id'],
            timings: { requestedMs: ms, pendingMs: ms, vifPendingMs: ms },
            ...(strictAuth && { strictAuth }),
            log: (line) => note(line),
            ...(!a.quiet && { requestLog: (line: string) => note(line) }),
          });
        } catch (e) {
          store.close();
          throw new CliError('failed', `cannot listen on ${a.host}:${a.port}: ${(e as Error).message}`, { cause: e });
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
