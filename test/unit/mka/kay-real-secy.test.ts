/**
 * The KaY's command stream applied to the real SecY of src/macsec (through
 * the node's glue, src/node/secy-commands.ts): two KaYs
 * secure, rekey at a (lowered) PN threshold and roll the key chain; each
 * node's commands, replayed in order into a real SecY, are accepted, and the
 * two SecYs then protect and validate frames both ways with the SAK in use.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/shared/bytes.js';
import { SecY } from '../../../src/macsec/index.js';
import { applySecYCommand } from '../../../src/node/secy-commands.js';
import { MkaLab } from '../../helpers/mka-lab.js';
import { SCI_DX, SCI_RT, cfg } from './fixtures.js';

const applyReal = applySecYCommand;

const K = [1, 2].map((i) => ({ ckn: fromHex(`${i}${i}`.repeat(32)), cak: fromHex(`b${i}`.repeat(32)) }));

describe('KaY commands on the real SecY', () => {
  it('secure, rekey at the PN threshold, key-chain rollover: every command accepted, frames pass both ways', () => {
    const lab = new MkaLab();
    lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, pnExhaustionThreshold: 500n, keyChain: [K[0]!] }), 1);
    lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32, pnExhaustionThreshold: 500n, keyChain: [K[0]!] }), 2);
    lab.start('dx');
    lab.start('rt');
    lab.trafficEveryMs = 5;
    lab.advance(10_000);
    for (const n of ['dx', 'rt']) lab.apply(lab.node(n), lab.node(n).kay.setKeyChain(lab.now, K));
    lab.advance(10_000);
    const real = new Map<string, SecY>();
    for (const n of lab.nodes) {
      const secy = new SecY({ txSci: n.kay.config.sci });
      for (const c of n.secy.log) applyReal(secy, c);
      real.set(n.name, secy);
      expect(n.kay.status().sak!.kn).toBeGreaterThanOrEqual(2);
      expect(n.kay.status().keyChain.index).toBe(1);
    }
    const dx = real.get('dx')!;
    const rt = real.get('rt')!;
    const frame = fromHex('0200000000020200000000010800' + '45'.repeat(60));
    for (const [from, to] of [[dx, rt], [rt, dx]] as const) {
      const p = from.protect(frame);
      expect(p.ok).toBe(true);
      if (!p.ok) continue;
      const v = to.validate(p.frame);
      expect(v.ok).toBe(true);
      if (v.ok) expect(Array.from(v.frame)).toEqual(Array.from(frame));
    }
  });
});
