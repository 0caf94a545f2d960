/**
 * The blog's cut-over in a lab (root): router-dx-two-links.yaml, the old
 * connection dx:eth1 with the VIF, dx:eth2 free. With the AWS CLI v2 from
 * Debian and `dxlab`: create-connection takes the free port,
 * associate-mac-sec-key gives it a key, the router gets the same pair with
 * `dxlab set`, describe says "Encryption Up with CKN <it>";
 * associate-virtual-interface moves AWS's end of the VIF to the new
 * connection, `dxlab vif move` the router's, and BGP re-establishes over it.
 * The API is the one `dxlab up` starts in the lab's supervisor, with a
 * quota lowered by `dxlab up --api-quota`, which it enforces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';
import { AWS, awsCli, runAws } from '../../helpers/aws-cli.js';
import { LabSession } from '../../helpers/lab-session.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('the blog cut-over in a lab: router-dx-two-links', () => {
  const session = new LabSession('b');
  const { statePath } = session;
  let endpoint = '';
  const dxlab = (...args: string[]) => session.dxlab(...args);
  const aws = awsCli(session.scratch, () => endpoint);
  const waitFor = <T>(what: string, get: () => T, cond: (v: T) => boolean, ms = 60_000) => session.waitFor(what, get, cond, ms);

  beforeAll(async () => {
    if (!existsSync(AWS)) throw new Error(`${AWS} is missing: apt-get install awscli (scripts/setup.sh does)`);
    // A quota lowered for the API the supervisor hosts (dxlab up --api-quota), as AWS would set it for an account.
    session.upFile(join(ROOT, 'topologies/router-dx-two-links.yaml'), '--api-quota', 'lags-per-region=1');
    // The lab's supervisor hosts its API (the service named api); its endpoint is in the state file and in status.
    const st = JSON.parse(readFileSync(statePath, 'utf8')) as { services?: Array<{ name: string; url: string }> };
    endpoint = st.services?.find((x) => x.name === 'api')?.url ?? '';
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const status = JSON.parse(dxlab('status', '--json').stdout) as { services?: Array<{ name: string; url: string }> };
    expect(status.services?.find((x) => x.name === 'api')?.url).toBe(endpoint);
  }, 120_000);

  afterAll(async () => {
    session.down();
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
    const cakFile = join(session.scratch, 'cak');
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

  it('the quota given to dxlab up --api-quota holds in the lab API: a second create-lag is refused (LimitExceededException), nothing stored', () => {
    const lag = aws('directconnect', 'create-lag', '--number-of-connections', '1', '--location', 'IAD66', '--connections-bandwidth', '10Gbps', '--lag-name', 'first');
    try {
      const second = runAws(session.scratch, endpoint, ['directconnect', 'create-lag', '--number-of-connections', '1', '--location', 'IAD66', '--connections-bandwidth', '10Gbps', '--lag-name', 'second']);
      expect(second.status).not.toBe(0);
      expect(second.stderr).toMatch(/LimitExceededException.*1 LAG.*--quota lags-per-region=N/);
      expect(aws('directconnect', 'describe-lags').lags.map((l: { lagName: string }) => l.lagName)).toEqual(['first']);
    } finally {
      aws('directconnect', 'delete-lag', '--lag-id', lag.lagId);
    }
  });
});
