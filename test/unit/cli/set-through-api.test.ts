/**
 * `dxlab set` on a DX device's mode or key chain goes through the lab's AWS
 * API (found in the lab state's `services`): the API's rules apply (V3),
 * the change reaches the node through the API's push, the API shows it; a
 * lab without a running API, or a port without a connection, is a clear
 * error. The lab is a fake one (test/helpers/lab-api.ts) with the API
 * in-process; the built `dxlab` runs in a child process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningLabApi } from '../../../src/aws/index.js';
import { writeStateFile } from '../../../src/lab/index.js';
import { fakeLab, type FakeLab } from '../../helpers/lab-api.js';
import { ROOT } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { CAK2, CKN1, CKN2 } from '../../helpers/aws.js';

const BIN = fileURLToPath(new URL('../../../bin/dxlab.js', import.meta.url));
const stateDir = tempDir('dxlab-set-api-');
const lab = 'setapi';
let l: FakeLab;
let api: RunningLabApi;

function run(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args, '--name', lab], { cwd: ROOT, env: { ...process.env, DXLAB_STATE_DIR: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const withService = (on: boolean) => {
  const prev = process.env.DXLAB_STATE_DIR;
  process.env.DXLAB_STATE_DIR = stateDir;
  try {
    const { services: _s, ...rest } = l.state as typeof l.state & { services?: unknown };
    writeStateFile(lab, on ? { ...rest, services: [{ name: 'api', port: api.server.port, url: api.url, pid: process.pid }] } : rest);
  } finally {
    if (prev === undefined) delete process.env.DXLAB_STATE_DIR;
    else process.env.DXLAB_STATE_DIR = prev;
  }
};

beforeAll(async () => {
  l = await fakeLab(join(stateDir, lab), lab);
  api = await l.start();
  withService(true);
});
afterAll(async () => {
  await api.stop();
  await l.node.close();
});

describe('dxlab set on a DX device, through the AWS API', () => {
  it('mode: UpdateConnection, pushed to the node, shown by the API', async () => {
    const r = await run('set', 'dx', 'eth1', 'mode', 'must_encrypt');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^dx eth1: mode should_encrypt -> must_encrypt \(AWS API UpdateConnection on dxcon-[a-z0-9]{8}\)\n$/);
    await api.binding.settled();
    expect(l.node.ports.get('eth1')!.mode).toBe('must_encrypt');
    const c = await api.server.service.call({ service: 'directconnect', operation: 'DescribeConnections', body: {} });
    expect((c as any).output.connections[0].encryptionMode).toBe('must_encrypt');
  });

  it('key add: AssociateMacSecKey (a Direct Connect secret); a CKN AWS refuses (V3) is a usage error naming the rule, and changes nothing', async () => {
    const cak = join(stateDir, 'cak.hex');
    writeFileSync(cak, CAK2, { mode: 0o600 });
    const bad = await run('set', 'dx', 'eth1', 'key', 'add', '--ckn', 'ab'.repeat(16), '--cak-file', cak);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('dxlab: AWS API: AssociateMacSecKey: ckn must be exactly 64 hexadecimal characters (32 octets); got 32 characters\n');
    expect(l.node.ports.get('eth1')!.keyChain).toEqual([CKN1]);
    const r = await run('set', 'dx', 'eth1', 'key', 'add', '--ckn', CKN2, '--cak-file', cak, '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ operation: 'AssociateMacSecKey', keyChain: [CKN1, CKN2] });
    await api.binding.settled();
    expect(l.node.ports.get('eth1')!.keyChain).toEqual([CKN1, CKN2]);
  });

  it('key remove: DisassociateMacSecKey by the CKN\'s secret; an unknown CKN is refused', async () => {
    const r = await run('set', 'dx', 'eth1', 'key', 'remove', '--ckn', CKN2);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^dx eth1: CKN 2{64} removed; key chain \(oldest first\): 1{16}… \(AWS API DisassociateMacSecKey on dxcon-[a-z0-9]{8}\)\n$/);
    await api.binding.settled();
    expect(l.node.ports.get('eth1')!.keyChain).toEqual([CKN1]);
    const again = await run('set', 'dx', 'eth1', 'key', 'remove', '--ckn', CKN2);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/no CKN 2{64} is associated/);
  });

  it('a free port has no connection to change, and a lab without a running API says so', async () => {
    const free = await run('set', 'dx', 'eth2', 'mode', 'must_encrypt');
    expect(free.status).toBe(1);
    expect(free.stderr).toBe('dxlab: lab setapi: no connection is on dx:eth2 (a free port: aws directconnect create-connection takes it)\n');
    withService(false);
    try {
      const r = await run('set', 'dx', 'eth1', 'mode', 'should_encrypt');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^dxlab: lab setapi has no AWS API running: the key chain and mode of DX device dx belong to it \(start it: dxlab api serve --lab setapi\)/);
      expect(l.node.ports.get('eth1')!.mode).toBe('must_encrypt');
    } finally {
      withService(true);
    }
  });
});
