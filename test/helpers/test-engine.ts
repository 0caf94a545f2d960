/**
 * The Docker engine the container tests run on (docker-lab, k8s-pods).
 *
 * A file run by itself starts a private engine in its own scratch folder and
 * stops it when done. Under a whole vitest run, test/engine-setup.ts (vitest's
 * globalSetup) provides one folder for the run: the first file to ask starts
 * the engine there, under a lock (a directory made with mkdir, which only one
 * process can make), and the others find it running; the global teardown
 * stops it. Since the node image's tag is a hash of its inputs, the image one
 * file builds is the image the next finds: it is built once per run, as
 * issue 21 asks of CI.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { buildNodeImage, startDockerd, stopDockerd, type PrivateDockerd } from '../../src/lab/index.js';
import { ROOT } from './cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of the run's shared Docker engine ('' when there is none). */
    dxlabTestEngine: string;
  }
}

export interface TestEngine extends PrivateDockerd {
  /** Shared with the run's other files: not stopped by the file. */
  shared: boolean;
}

/**
 * The run's shared engine, with the node image built in it (once, under the
 * lock), or a private one in `scratch` with no image yet (a file run alone:
 * the file builds it, as a user would).
 */
export async function testEngine(scratch: string): Promise<TestEngine> {
  const dir = inject('dxlabTestEngine') || '';
  if (!dir) return { ...(await startDockerd(join(scratch, 'engine'))), shared: false };
  const lock = `${dir}.lock`;
  // The image build holds the lock: a minute or two on a loaded 2-core machine.
  const end = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() > end) throw new Error(`the shared Docker engine's lock ${lock} was not released within 300 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    // startDockerd returns the engine already running in dir, if any; the image found there is not built again.
    const engine = await startDockerd(dir);
    buildNodeImage(engine.host, () => {}, ROOT);
    return { ...engine, shared: true };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Stops the engine if it is the file's own. */
export async function releaseTestEngine(engine: TestEngine | undefined): Promise<void> {
  if (engine && !engine.shared) await stopDockerd(engine.dir);
}
