/**
 * Services a lab's supervisor hosts (the AWS API, a web view): each listens
 * on a port chosen per lab, the first free one from the service's base port,
 * so that two labs run side by side, and is recorded in the lab's state file
 * (`services`, with name, port, url and the PID of the process serving it).
 *
 * The shapes here are the contract between the supervisor and the services
 * it hosts (the AWS API plugs in as the service named 'api', base port 4566).
 */
import { createServer } from 'node:net';
import type { LabState } from './lab.js';

export interface LabServiceContext {
  lab: string;
  /** The lab's state folder. */
  labDir: string;
  /** '127.0.0.1' unless the user said otherwise. */
  host: string;
  /** Chosen by the supervisor, free, per lab. */
  port: number;
  /** The lab's current state (re-read from its file). */
  state(): LabState;
  /** The supervisor's log (never key material). */
  log(line: string): void;
}

export interface RunningLabService {
  readonly url: string;
  stop(): Promise<void>;
}

export interface LabService {
  /** 'api' for the AWS API. */
  readonly name: string;
  /** First port tried (4566 for 'api'); the next free one is taken. */
  readonly basePort: number;
  start(ctx: LabServiceContext): Promise<RunningLabService>;
}

/** A running service as the lab's state file records it. */
export interface LabServiceEntry {
  name: string;
  port: number;
  url: string;
  pid: number;
}

/** How many ports from its base port a service is offered before the supervisor gives up on it. */
export const SERVICE_PORT_TRIES = 100;

/**
 * Whether nothing listens on host:port: a listen that succeeds (and is closed
 * at once). Only a hint, since another process may take the port before the
 * service does; startLabService moves on when the service's own listen fails.
 */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

function addressInUse(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
}

/**
 * Starts a service on the first free port from its base port: a port that is
 * taken (portFree says so, or the service's own listen fails with
 * EADDRINUSE, as when two labs start at the same instant) is skipped.
 * @returns the port and the running service.
 * @throws Error when no port of SERVICE_PORT_TRIES is free, or the service
 *   fails for another reason (its error, with the service's name).
 */
export async function startLabService(
  service: LabService,
  ctx: Omit<LabServiceContext, 'port'>,
  isFree: (host: string, port: number) => Promise<boolean> = portFree,
): Promise<{ port: number; running: RunningLabService }> {
  const last = Math.min(65535, service.basePort + SERVICE_PORT_TRIES - 1);
  for (let port = service.basePort; port <= last; port++) {
    if (!(await isFree(ctx.host, port))) continue;
    try {
      return { port, running: await service.start({ ...ctx, port }) };
    } catch (e) {
      if (addressInUse(e)) continue;
      throw new Error(`service ${service.name} on ${ctx.host}:${port}: ${(e as Error).message}`, { cause: e });
    }
  }
  throw new Error(`service ${service.name}: no free port on ${ctx.host} from ${service.basePort} to ${last}`);
}
