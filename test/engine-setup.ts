/**
 * vitest's globalSetup (vitest.config.ts): a folder for the run's shared
 * Docker engine (test/helpers/test-engine.ts), made here and handed to the
 * test files with provide(); the engine is started by the first file that
 * needs one, so a run with no container test starts none. The teardown stops
 * it, if started, and removes the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopDockerd } from '../src/lab/docker/daemon.js';

let dir = '';

export function setup(project: TestProject): void {
  dir = mkdtempSync(join(tmpdir(), 'dxlab-test-engine-'));
  project.provide('dxlabTestEngine', join(dir, 'engine'));
}

export async function teardown(): Promise<void> {
  if (!dir) return;
  await stopDockerd(join(dir, 'engine'));
  rmSync(dir, { recursive: true, force: true });
}
