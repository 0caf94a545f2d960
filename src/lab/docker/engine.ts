/**
 * The Docker client as dxlab calls it: always /usr/bin/docker (Debian's
 * docker.io; another `docker` may come first on PATH) with an explicit
 * engine (`-H`, which wins over DOCKER_HOST and docker contexts), so that dxlab never talks to the machine's default daemon
 * by accident. Which engine the docker runtime uses is the user's choice,
 * DXLAB_DOCKER_HOST (a private one: daemon.ts, `dxlab docker start DIR`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { LabError } from '../errors.js';
import { dockerHostSetting } from '../paths.js';

export const DOCKER_BIN = '/usr/bin/docker';
export const DOCKERD_BIN = '/usr/sbin/dockerd';

/** The client's arguments aimed at `host` (unix:///...): `-H` wins over DOCKER_HOST and any docker context. */
export function dockerArgs(host: string, args: string[]): string[] {
  return ['-H', host, ...args];
}

/**
 * Runs `docker ARGS` against `host`; `input` goes to its stdin.
 * @returns its stdout
 * @throws LabError('process') with what docker said.
 */
export function docker(host: string, args: string[], o: { input?: string | Buffer; timeoutMs?: number } = {}): string {
  try {
    return execFileSync(DOCKER_BIN, dockerArgs(host, args), { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20, timeout: o.timeoutMs ?? 120_000, ...(o.input !== undefined ? { input: o.input } : {}) });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new LabError('process', `docker ${args[0]}: ${(err.stderr || err.message).trim().split('\n').slice(-2).join(' | ')}`);
  }
}

/** `docker ARGS` without waiting for it; resolves with its stdout, rejects with what it said. */
export function dockerAsync(host: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(DOCKER_BIN, dockerArgs(host, args), { encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs }, (err, out, stderr) =>
      err ? reject(new LabError('process', `docker ${args[0]}: ${(stderr || err.message).trim().split('\n').slice(-2).join(' | ')}`)) : resolve(out),
    ),
  );
}

/** The engine the docker runtime uses: DXLAB_DOCKER_HOST (paths.ts), a unix socket. @throws LabError('topology') when unset or not unix://. */
export function labDockerHost(setting: string | undefined = dockerHostSetting()): string {
  const h = setting;
  if (!h) throw new LabError('topology', 'the docker runtime needs DXLAB_DOCKER_HOST, the socket of a Docker engine (unix:///PATH); `dxlab docker start DIR` starts a private one and prints it');
  if (!/^unix:\/\/\/\S+$/.test(h)) throw new LabError('topology', `DXLAB_DOCKER_HOST must be unix:///PATH, got '${h}'`);
  return h;
}
