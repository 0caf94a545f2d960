/**
 * The AWS API from the outside, as a user drives it: `dxlab api serve` as a
 * child process, and the AWS CLI v2 from Debian (/usr/bin/aws, never an `aws`
 * earlier on PATH, which may be a v1) pointed at it with example
 * credentials, no config or credentials file of the machine's read, JSON out.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';
import { BIN, type LabSession } from './lab-session.js';

export const AWS = '/usr/bin/aws';

/**
 * Runs `aws ARGS` against `endpoint`; its status, parsed JSON answer (undefined when empty) and stderr.
 * @param home a scratch folder of the test's own: the CLI's HOME (it writes its cache there)
 */
export function runAws(home: string, endpoint: string, args: string[]): { status: number | null; out: any; stderr: string } {
  const r = spawnSync(AWS, [...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, AWS_ACCESS_KEY_ID: 'AKIDDXLABEXAMPLE', AWS_SECRET_ACCESS_KEY: 'dxlab-example-secret', AWS_CONFIG_FILE: join(home, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'), AWS_PAGER: '' },
  });
  return { status: r.status, out: r.stdout.trim() ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

/**
 * A function that runs `aws ARGS` against `endpoint()` and returns its JSON answer.
 * @throws when the CLI exits non-zero, with its stderr
 */
export function awsCli(home: string, endpoint: () => string): (...args: string[]) => any {
  return (...args: string[]) => {
    const r = runAws(home, endpoint(), args);
    if (r.status !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.out;
  };
}

export interface ServedApi {
  child: ChildProcess;
  endpoint: string;
  /** What it wrote to stdout and stderr so far. */
  out(): string;
  err(): string;
}

/**
 * Starts `dxlab api serve ARGS` and waits for the line that gives its endpoint
 * (and, when `ready` is given, for a line matching it too).
 * @throws when it exits first, with its stderr
 */
export function serveApi(args: string[], options: { env?: NodeJS.ProcessEnv; ready?: RegExp } = {}): Promise<ServedApi> {
  const child = spawn(process.execPath, [BIN, 'api', 'serve', ...args], { cwd: ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<ServedApi>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^endpoint (\S+)$/m.exec(out);
      if (m && (!options.ready || options.ready.test(out))) resolve({ child, endpoint: m[1]!, out: () => out, err: () => err });
    });
    child.once('exit', (code) => reject(new Error(`dxlab api serve exited ${code}: ${err}`)));
  });
}

/** Stops a served API with SIGTERM and waits for it to exit. */
export async function stopApi(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * A lab whose AWS API runs in the foreground (`dxlab api serve --lab`), not
 * under the lab's supervisor, so that a test can stop it and start it again.
 */
export class ForegroundLabApi {
  /** The running API, if any (the last one started). */
  api: ServedApi | undefined;
  endpoint = '';

  constructor(private readonly session: LabSession) {}

  /** `dxlab up topologies/FILE --no-api`, then the API. @throws when the AWS CLI is missing or either fails */
  async up(topology: string): Promise<void> {
    if (!existsSync(AWS)) throw new Error(`${AWS} is missing: apt-get install awscli (scripts/setup.sh does)`);
    this.session.upFile(join(ROOT, 'topologies', topology), '--no-api');
    await this.start();
  }

  /** Serves the lab's API; its endpoint. */
  async start(): Promise<string> {
    this.api = await serveApi(['--lab', this.session.lab, '--port', '0', '--quiet'], { env: this.session.env, ready: /^try: /m });
    this.endpoint = this.api.endpoint;
    return this.endpoint;
  }

  stop(): Promise<void> {
    return stopApi(this.api?.child);
  }

  /** The API stopped and the lab removed (LabSession.down). */
  async down(): Promise<void> {
    await this.stop();
    this.session.down();
  }
}
