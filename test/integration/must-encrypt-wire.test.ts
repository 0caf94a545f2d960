/**
 * must_encrypt never lets a clear frame out, and a node restarted with the
 * same or a changed key chain meets the key chain rules (root).
 *
 * router-dx in must_encrypt with the fast MKA profile, under a ping across
 * the VIF and the BGP sessions, through MKA failure (the DX node stopped
 * with SIGSTOP past Life Time, then continued), a wrong key (the router's
 * key chain replaced by a key the DX device lacks, then put back), a rekey,
 * the DX node restarted with the same key chain (secures again), the router
 * restarted with a changed key chain (a key the peer lacks: not secured, the
 * ping stops), and a wire cut. The lab runs its AWS API: a DX device's mode
 * goes through it (`dxlab set`). The test's own AF_PACKET sockets on both ends of
 * the wire veth (test/helpers/wire-watch.ts; not a node's capture, which
 * turns the fast path off) read every frame: none but MACsec (0x88E5) and
 * EAPOL (0x888E), from either node, while the fast path's counters show it
 * carried the traffic. As a check that the sockets would see a leak, the
 * changed key chain is also run in should_encrypt, where the ping must pass
 * in clear and the sockets must count clear frames.
 *
 * Then lag-router-dx in must_encrypt: a member's wire cut and restored
 * under a ping, both members' wires watched: only 0x88E5 and 0x888E. LACP
 * (0x8809) never shows on a member's wire: the lab sends LACPDUs on the
 * member's controlled port, so they leave protected (README "LAGs"; the
 * issue allows 0x8809 only if LACPDUs went in clear).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countingPing, FaultLab, sleep, type LabStatus } from '../faults/lab-host.js';
import { ROOT } from '../helpers/cli.js';
import { watchWire, type WireWatch } from '../helpers/wire-watch.js';

const isRoot = process.getuid?.() === 0;
const ETH_MACSEC = 0x88e5;
const ETH_EAPOL = 0x888e;
const DX = '169.254.100.2';
/** Longer than MKA Life Time of the fast profile (1.5 s), with room for a loaded machine. */
const PAST_LIFE_TIME_MS = 4000;

interface Counters {
  ports: Array<{ fastPath?: { active: boolean; txFrames: number; rxFrames: number } }>;
}

/** The test's own packet sockets on both ends of every wire of the lab, passing only MACsec and EAPOL. */
function watchLabWires(lab: FaultLab): WireWatch {
  const st = lab.state();
  const ns = (end: string) => st.nodes.find((n) => n.name === end.split(':')[0])!.netns;
  return watchWire(
    st.links.flatMap((l) => [
      { netns: ns(l.a), ifname: l.wires[0] },
      { netns: ns(l.b), ifname: l.wires[1] },
    ]),
    [ETH_MACSEC, ETH_EAPOL],
  );
}

function mustEncrypt(file: string): string {
  const text = readFileSync(join(ROOT, 'topologies', file), 'utf8').replace(/\n  captures: .*\n/, '\n');
  const out = text.replace('mode: should_encrypt', 'mode: must_encrypt');
  if (out === text || !out.includes('profile: fast')) throw new Error(`${file} changed shape; update this test`);
  return out;
}

describe.skipIf(!isRoot)('must_encrypt on the wire: only MACsec and EAPOL, through every fault', () => {
  const lab = new FaultLab('me', mustEncrypt('router-dx.yaml'));
  let watch: WireWatch | undefined;
  const secured = (s: LabStatus) => FaultLab.allSecured(s);
  const notSecured = (s: LabStatus) => s.nodes.every((n) => n.ports.every((p) => p.secured !== true));
  const fast = () => ['router', 'dx'].map((n) => lab.dxlab('show', 'counters', n, '--json')).map((r) => (JSON.parse(r.stdout) as Counters).ports[0]!.fastPath!);
  const cleanPhases: Array<{ what: string; offending: number }> = [];
  /** Runs one phase; frames not allowed must not grow during it. */
  const phase = async (what: string, fn: () => Promise<void>) => {
    const before = watch!.offending();
    await fn();
    cleanPhases.push({ what, offending: watch!.offending() - before });
  };
  const pingReplies = async (ms: number) => {
    const p = countingPing(lab.netns('router'), DX, 0.1);
    await sleep(ms);
    return (await p.stop()).received;
  };
  const wrongKey = { ckn: randomBytes(32).toString('hex'), cak: randomBytes(32).toString('hex') };
  let rightCkn = '';
  let fastBefore: ReturnType<typeof fast> = [];

  beforeAll(async () => {
    lab.up();
    watch = watchLabWires(lab);
    await lab.waitFor('secured after up', () => lab.status(), secured);
    rightCkn = /ckn: ([0-9a-f]{64})/.exec(readFileSync(lab.topoFile, 'utf8'))![1]!;
    fastBefore = fast();
  }, 300_000);

  afterAll(() => {
    watch?.close();
    const d = lab.down();
    expect(d.left).toEqual([]);
  }, 300_000);

  it('secured: the ping passes through the fast path', async () => {
    expect(await pingReplies(1500)).toBeGreaterThan(5);
    const f = fast();
    expect(f.map((x) => x.active)).toEqual([true, true]);
    expect(f[0]!.txFrames - fastBefore[0]!.txFrames).toBeGreaterThan(5);
    expect(f[1]!.rxFrames - fastBefore[1]!.rxFrames).toBeGreaterThan(5);
  });

  it('MKA failure (the DX node stopped past Life Time): the router blocks, nothing in clear; secured again once it runs', async () => {
    await phase('MKA failure', async () => {
      const dxPid = lab.state().nodes.find((n) => n.name === 'dx')!.pid;
      const ping = countingPing(lab.netns('router'), DX, 0.1);
      process.kill(dxPid, 'SIGSTOP');
      try {
        await sleep(PAST_LIFE_TIME_MS);
        const s = await lab.waitFor('router no longer secured', () => lab.dxlab('show', 'mka', 'router', '--json'), (r) => r.status === 0 && /"secured":\s*false/.test(r.stdout));
        expect(s.status).toBe(0);
      } finally {
        process.kill(dxPid, 'SIGCONT');
      }
      await ping.stop();
      await lab.waitFor('secured after SIGCONT', () => lab.status(), secured);
    });
  }, 120_000);

  it('a wrong key on the router: not secured, the ping stops; secured again with the right key', async () => {
    await phase('wrong key', async () => {
      const cakFile = join(lab.stateDir, 'wrong-cak');
      writeFileSync(cakFile, wrongKey.cak, { mode: 0o600 });
      expect(lab.dxlab('set', 'router', 'eth1', 'key', 'add', '--ckn', wrongKey.ckn, '--cak-file', cakFile).status).toBe(0);
      expect(lab.dxlab('set', 'router', 'eth1', 'key', 'remove', '--ckn', rightCkn).status).toBe(0);
      await lab.waitFor('not secured with the wrong key', () => lab.status(), notSecured);
      expect(await pingReplies(2000)).toBe(0);
      const rightFile = join(lab.stateDir, 'right-cak');
      writeFileSync(rightFile, /cak: ([0-9a-f]{64})/.exec(readFileSync(lab.topoFile, 'utf8'))![1]!, { mode: 0o600 });
      expect(lab.dxlab('set', 'router', 'eth1', 'key', 'add', '--ckn', rightCkn, '--cak-file', rightFile).status).toBe(0);
      expect(lab.dxlab('set', 'router', 'eth1', 'key', 'remove', '--ckn', wrongKey.ckn).status).toBe(0);
      await lab.waitFor('secured with the right key', () => lab.status(), secured);
      expect(await pingReplies(1500)).toBeGreaterThan(0);
    });
  }, 120_000);

  it('a rekey: secured throughout, the ping passes', async () => {
    await phase('rekey', async () => {
      expect(lab.dxlab('set', 'router', 'eth1', 'rekey').status).toBe(0);
      await lab.waitFor('secured after the rekey', () => lab.status(), secured);
      expect(await pingReplies(1500)).toBeGreaterThan(0);
    });
  }, 60_000);

  it('the DX node restarted with the same key chain: secured again', async () => {
    await phase('restart, same key chain', async () => {
      const old = lab.status().nodes.find((n) => n.name === 'dx')!.pid;
      const r = lab.dxlab('restart', 'dx');
      expect(r.status, r.stderr).toBe(0);
      await lab.waitFor('secured after the restart', () => lab.status(), (s) => secured(s) && s.nodes.find((n) => n.name === 'dx')!.pid !== old);
      expect(await pingReplies(1500)).toBeGreaterThan(0);
    });
  }, 120_000);

  it('the router restarted with a changed key chain (a key the DX device lacks): not secured; must_encrypt stops the ping, should_encrypt lets it pass in clear, which the sockets see', async () => {
    // The router's configuration, not the DX device's: the DX side's key chain belongs to the lab's AWS API.
    const cfgPath = join(lab.labDir, 'router.json');
    const original = readFileSync(cfgPath, 'utf8');
    // keys9.json: a name `down` removes with the lab's own key files.
    const changedKeys = join(lab.labDir, 'keys9.json');
    writeFileSync(changedKeys, JSON.stringify({ version: 1, cas: [wrongKey], saks: [] }), { mode: 0o600 });
    const changed = original.replace(/"keyFile": "[^"]+"/, `"keyFile": ${JSON.stringify(changedKeys)}`);
    expect(changed).not.toBe(original);
    writeFileSync(cfgPath, changed, { mode: 0o600 });
    try {
      await phase('restart, changed key chain, must_encrypt', async () => {
        expect(lab.dxlab('restart', 'router').status).toBe(0);
        // Past Life Time the DX device has timed out the old router (on a loaded machine maybe later: waited for),
        // and the new one, with a key the DX device lacks, never secures.
        await sleep(PAST_LIFE_TIME_MS);
        await lab.waitFor('neither end secured', () => lab.status(), notSecured, 30_000);
        expect(await pingReplies(2000)).toBe(0);
      });
      // should_encrypt: not secured, so both ends fall back to clear (the mode decides).
      const before = watch!.offending();
      for (const n of ['router', 'dx']) {
        const r = lab.dxlab('set', n, 'eth1', 'mode', 'should_encrypt');
        expect(r.status, r.stderr).toBe(0);
      }
      await lab.waitFor('both ends fallen back to clear', () => lab.status(), (s) => s.nodes.every((n) => n.ports.every((p) => p.controlledPort === 'clear')), 30_000);
      expect(await pingReplies(2000)).toBeGreaterThan(0);
      expect(watch!.offending() - before).toBeGreaterThan(0);
      for (const n of ['router', 'dx']) {
        const r = lab.dxlab('set', n, 'eth1', 'mode', 'must_encrypt');
        expect(r.status, r.stderr).toBe(0);
      }
      // Frames the kernel queued in clear before the switch may still be on their way.
      await sleep(1000);
    } finally {
      writeFileSync(cfgPath, original, { mode: 0o600 });
    }
    await phase('restart back to the right key chain', async () => {
      expect(lab.dxlab('restart', 'router').status).toBe(0);
      await lab.waitFor('secured with the original key chain', () => lab.status(), secured);
      expect(await pingReplies(1500)).toBeGreaterThan(0);
    });
  }, 180_000);

  it('a wire cut past Life Time and restored: nothing in clear, secured again', async () => {
    await phase('wire cut', async () => {
      const ping = countingPing(lab.netns('router'), DX, 0.1);
      expect(lab.dxlab('wire', 'cut', 'router:eth1').status).toBe(0);
      await sleep(PAST_LIFE_TIME_MS);
      expect(lab.dxlab('wire', 'restore', 'router:eth1').status).toBe(0);
      await lab.waitFor('secured after the restore', () => lab.status(), secured);
      await sleep(1000);
      expect((await ping.stop()).received).toBeGreaterThan(0);
    });
  }, 120_000);

  it('every frame read: only MACsec and EAPOL in every must_encrypt phase, both seen, and the fast path carried frames', () => {
    const counts = watch!.counts();
    process.stderr.write(`must_encrypt wire: frames by EtherType ${JSON.stringify(counts)}; phases ${JSON.stringify(cleanPhases)}\n`);
    expect(cleanPhases.map((p) => p.what)).toHaveLength(7);
    expect(cleanPhases.filter((p) => p.offending > 0), JSON.stringify(watch!.offenders())).toEqual([]);
    expect(counts['88e5']).toBeGreaterThan(100);
    expect(counts['888e']).toBeGreaterThan(10);
    const f = fast();
    expect(f[0]!.txFrames).toBeGreaterThan(50);
    expect(f[1]!.txFrames).toBeGreaterThan(50);
  });
});

describe.skipIf(!isRoot)('must_encrypt LAG: a member lost and back, only MACsec and EAPOL on both member wires', () => {
  const lab = new FaultLab('ml', mustEncrypt('lag-router-dx.yaml'));
  let watch: WireWatch | undefined;

  beforeAll(async () => {
    lab.up('--no-api');
    watch = watchLabWires(lab);
    expect(lab.state().links).toHaveLength(2);
    await lab.waitFor('both members secured', () => lab.status(), FaultLab.allSecured);
  }, 300_000);

  afterAll(() => {
    watch?.close();
    const d = lab.down();
    expect(d.left).toEqual([]);
  }, 300_000);

  it('member eth1 cut past Life Time under a ping, then restored: the ping passes on the other member, nothing in clear', async () => {
    const ping = countingPing(lab.netns('router'), DX, 0.1);
    await sleep(1000);
    expect(lab.dxlab('wire', 'cut', 'router:eth1').status).toBe(0);
    await sleep(PAST_LIFE_TIME_MS);
    const mid = countingPing(lab.netns('router'), DX, 0.1);
    await sleep(2000);
    expect((await mid.stop()).received).toBeGreaterThan(0);
    expect(lab.dxlab('wire', 'restore', 'router:eth1').status).toBe(0);
    await lab.waitFor('both members secured again', () => lab.status(), FaultLab.allSecured);
    await sleep(1000);
    expect((await ping.stop()).received).toBeGreaterThan(0);
    const counts = watch!.counts();
    process.stderr.write(`must_encrypt LAG wires: frames by EtherType ${JSON.stringify(counts)}\n`);
    expect(watch!.offenders()).toEqual([]);
    expect(counts['8809']).toBeUndefined();
    expect(counts['88e5']).toBeGreaterThan(20);
    expect(counts['888e']).toBeGreaterThan(4);
  }, 120_000);
});
