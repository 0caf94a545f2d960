/**
 * The CP state machine's state (802.1X-2020 12.4, figure 12-2) in KayStatus:
 * the states a key server and a member pass through for the first SAK, a
 * rekey, "MACsec not used" and the loss of the only peer.
 */
import { describe, expect, it } from 'vitest';
import type { CpState, KayConfig } from '../../../src/mka/types.js';
import { MkaLab } from '../../helpers/mka-lab.js';
import { SCI_DX, SCI_RT, cfg } from './fixtures.js';

function pair(extraRt: Partial<KayConfig> = {}) {
  const lab = new MkaLab();
  lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16 }), 1);
  lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32, ...extraRt }), 2);
  lab.start('dx');
  lab.start('rt');
  return lab;
}

/** The distinct states a node shows, sampled every `stepMs` for `ms`. */
function trace(lab: MkaLab, name: string, ms: number, stepMs = 5): CpState[] {
  const seen: CpState[] = [lab.node(name).kay.status().cpState];
  for (let t = 0; t < ms; t += stepMs) {
    lab.advance(stepMs);
    const s = lab.node(name).kay.status().cpState;
    if (s !== seen[seen.length - 1]) seen.push(s);
  }
  return seen;
}

describe('CP state in KayStatus', () => {
  it('first SAK: the key server goes RECEIVING then RETIRE, the member READY then RETIRE', () => {
    const lab = pair();
    expect(lab.node('dx').kay.status().cpState).toBe('INIT');
    const dx: CpState[] = [];
    const rt: CpState[] = [];
    for (let t = 0; t < 4000; t += 5) {
      lab.advance(5);
      for (const [name, seen] of [['dx', dx], ['rt', rt]] as const) {
        const s = lab.node(name).kay.status().cpState;
        if (s !== seen[seen.length - 1]) seen.push(s);
      }
    }
    expect(dx).toEqual(['INIT', 'RECEIVING', 'RETIRE']);
    expect(rt).toEqual(['INIT', 'READY', 'RETIRE']);
    expect(lab.node('dx').kay.status().secured).toBe(true);
  });

  it('rekey: the key server passes RECEIVING, TRANSMITTING (old SAK kept for SAK Retire Time) and comes back to RETIRE', () => {
    const lab = pair();
    lab.advance(4000);
    const dx = lab.node('dx');
    expect(dx.kay.status().cpState).toBe('RETIRE');
    lab.apply(dx, dx.kay.requestRekey(lab.now));
    expect(trace(lab, 'dx', 8000)).toEqual(['RECEIVING', 'TRANSMITTING', 'RETIRE']);
    expect(dx.kay.status().sak?.kn).toBe(2);
  });

  it('a peer that cannot do MACsec: AUTHENTICATED on both sides', () => {
    const lab = pair({ macsecCapability: 0 });
    lab.advance(5000);
    expect(lab.node('dx').kay.status().cpState).toBe('AUTHENTICATED');
    expect(lab.node('rt').kay.status().cpState).toBe('AUTHENTICATED');
  });

  it('the only peer falls silent: CHANGE once MKA Life Time has passed', () => {
    const lab = pair();
    lab.advance(4000);
    lab.link = () => false;
    expect(trace(lab, 'dx', 9000, 50)).toEqual(['RETIRE', 'CHANGE']);
  });
});
