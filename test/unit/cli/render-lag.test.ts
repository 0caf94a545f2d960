/** `dxlab show lag` and the LAG line of `dxlab status`, from a Lag's own status. */
import { describe, expect, it } from 'vitest';
import { Lag } from '../../../src/lacp/index.js';
import { lagSummary, renderLags, type LagAnswer } from '../../../src/cli/render-lag.js';

const mac = (n: number) => Uint8Array.of(2, 0, 0, 0, 0, n);

function answer(): LagAnswer {
  const lag = new Lag({ system: mac(0), key: 1, minimumLinks: 1, ports: [{ name: 'eth1', mac: mac(1), portNumber: 1 }, { name: 'eth2', mac: mac(2), portNumber: 2 }] });
  lag.start(0);
  lag.setPortEnabled(0, 'eth1', true);
  lag.tick(4000);
  return {
    ...lag.status(),
    name: 'lag1',
    taps: [{ name: 'dxt0', vlan: 100, mtu: 1500 }],
    counters: { txNoMember: 0, rxNotCollecting: 0, txByMember: { eth1: 5, eth2: 0 }, rxByMember: { eth1: 7, eth2: 0 } },
    members: [
      { name: 'eth1', kind: 'macsec', operational: true, controlledPort: 'clear', mka: { mode: 'should_encrypt', secured: false, cpState: 'ALLOWED', notSecured: 'noPeerHeard' } },
      { name: 'eth2', kind: 'macsec', operational: false, controlledPort: 'blocked', mka: { mode: 'must_encrypt', secured: false, cpState: 'INIT', notSecured: 'wrongCak' } },
    ],
  };
}

describe('show lag', () => {
  it('one row per member: machines, state letters, counters, MACsec', () => {
    const text = renderLags('dx', [answer()]);
    expect(text).toContain('node dx LAG lag1: logical port down, 0 of 2 members distributing, minimumLinks 1');
    const rows = text.split('\n');
    expect(rows.find((r) => r.startsWith('eth1'))).toMatch(/^eth1\s+DEFAULTED\s+DETACHED\s+UNSELECTED\s+ATG---F-\s+-T------\s+-\s+5\s+7\s+should_encrypt, controlled port clear \(noPeerHeard\)$/);
    expect(rows.find((r) => r.startsWith('eth2'))).toMatch(/^eth2\s+PORT_DISABLED\s+DETACHED\s+UNSELECTED .*must_encrypt, controlled port blocked \(wrongCak\)$/);
    expect(text).toContain('TAPs dxt0 (VLAN 100)');
  });
  it('the status line', () => {
    expect(lagSummary(answer())).toBe('logical port down, 0 of 2 members distributing, minimumLinks 1');
  });
});
