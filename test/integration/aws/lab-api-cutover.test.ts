/**
 * The blog's cut-over in a lab (root): router-dx-two-links.yaml, the old
 * connection dx:eth1 with the VIF, dx:eth2 free. With the AWS CLI v2 from
 * Debian and `dxlab`: create-connection takes the free port,
 * associate-mac-sec-key gives it a key, the router gets the same pair with
 * `dxlab set`, describe says "Encryption Up with CKN <it>";
 * associate-virtual-interface moves AWS's end of the VIF to the new
 * connection, `dxlab vif move` the router's, and BGP re-establishes over it.
 * The API is the one `dxlab up` starts in the lab's supervisor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const BIN = fileURLToPath(new URL('../../../bin/dxlab.js', import.meta.url));
const AWS = '/usr/bin/aws';

describe.skipIf(!isRoot)('the blog cut-over in a lab: router-dx-two-links', () => {
  const lab = `b${randomBytes(3).toString('hex')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-cutover-'));
  const work = mkdtempSync(join(tmpdir(), 'dxlab-cutover-work-'));
  const env = { ...process.env, DXLAB_STATE_DIR: stateDir };
  let endpoint = '';
  const dxlab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--name', lab], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const aws = (...args: string[]) => {
    const r = spawnSync(AWS, [...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, AWS_ACCESS_KEY_ID: 'AKIDDXLABEXAMPLE', AWS_SECRET_ACCESS_KEY: 'dxlab-example-secret', AWS_CONFIG_FILE: join(work, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'), AWS_PAGER: '' },
    });
    if (r.status !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout) as any;
  };
  const waitFor = async <T>(what: string, get: () => T, cond: (v: T) => boolean, ms = 60_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = get();
      if (cond(v)) return v;
      if (Date.now() > end) throw new Error(`${what}: not reached: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  beforeAll(async () => {
    if (!existsSync(AWS)) throw new Error(`${AWS} is missing: apt-get install awscli (scripts/setup.sh does)`);
    const up = spawnSync(process.execPath, [BIN, 'up', join(ROOT, 'topologies/router-dx-two-links.yaml'), '--name', lab], { cwd: ROOT, encoding: 'utf8', env, timeout: 90_000 });
    expect(up.status, up.stderr).toBe(0);
    // The lab's supervisor hosts its API (the service named api); its endpoint is in the state file and in status.
    const st = JSON.parse(readFileSync(join(stateDir, lab, 'state.json'), 'utf8')) as { services?: Array<{ name: string; url: string }> };
    endpoint = st.services?.find((x) => x.name === 'api')?.url ?? '';
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const status = JSON.parse(dxlab('status', '--json').stdout) as { services?: Array<{ name: string; url: string }> };
    expect(status.services?.find((x) => x.name === 'api')?.url).toBe(endpoint);
  }, 120_000);

  afterAll(async () => {
    const down = spawnSync(process.execPath, [BIN, 'down', lab], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    expect(down.status, down.stderr).toBe(0);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
  }, 60_000);

  it('create-connection on the free port, associate-mac-sec-key, the router given the same pair: Encryption Up with its CKN; associate-virtual-interface and dxlab vif move: BGP re-establishes on the new connection', async () => {
    const old = aws('directconnect', 'describe-connections').connections[0];
    expect(old.tags).toEqual([{ key: 'dxlab:port', value: 'dx:eth1' }]);
    const created = aws('directconnect', 'create-connection', '--location', 'IAD66', '--bandwidth', '10Gbps', '--connection-name', 'MACsec connection', '--request-mac-sec');
    expect(created.connectionState).toBe('requested');
    const id = created.connectionId as string;
    const one = () => aws('directconnect', 'describe-connections', '--connection-id', id).connections[0];
    await waitFor('available', one, (c) => c.connectionState === 'available' && c.portEncryptionStatus === 'Encryption Down');
    const ckn = randomBytes(32).toString('hex');
    const cak = randomBytes(32).toString('hex');
    aws('directconnect', 'associate-mac-sec-key', '--connection-id', id, '--ckn', ckn, '--cak', cak);
    const cakFile = join(work, 'cak');
    writeFileSync(cakFile, cak, { mode: 0o600 });
    const set = dxlab('set', 'router', 'eth2', 'key', 'add', '--ckn', ckn, '--cak-file', cakFile);
    expect(set.status, set.stderr).toBe(0);
    await waitFor('Encryption Up', one, (c) => c.portEncryptionStatus === `Encryption Up with CKN ${ckn.toUpperCase()}`);

    const vif = aws('directconnect', 'describe-virtual-interfaces').virtualInterfaces[0];
    expect(vif).toMatchObject({ connectionId: old.connectionId, virtualInterfaceName: 'private-vif' });
    await waitFor('BGP up on the old connection', () => aws('directconnect', 'describe-virtual-interfaces').virtualInterfaces[0], (v) => v.bgpPeers.some((p: { bgpStatus: string }) => p.bgpStatus === 'up'));
    const moved = aws('directconnect', 'associate-virtual-interface', '--virtual-interface-id', vif.virtualInterfaceId, '--connection-id', id);
    expect(moved).toMatchObject({ connectionId: id, virtualInterfaceState: 'pending' });
    const mv = dxlab('vif', 'move', 'router', 'private-vif', 'eth2');
    expect(mv.status, mv.stderr).toBe(0);
    await waitFor(
      'BGP up on the new connection',
      () => aws('directconnect', 'describe-virtual-interfaces', '--virtual-interface-id', vif.virtualInterfaceId).virtualInterfaces[0],
      (v) => v.connectionId === id && v.virtualInterfaceState === 'available' && v.bgpPeers.some((p: { bgpStatus: string }) => p.bgpStatus === 'up'),
      90_000,
    );
  }, 180_000);
});
