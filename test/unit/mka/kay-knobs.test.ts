/**
 * Interop knobs (EAPOL address and EtherType, MKA version, delay protection,
 * ICV Indicator) and the rule that no secret reaches status, events or errors.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/shared/bytes.js';
import { KaY, MkaError, decodeMkpdu } from '../../../src/mka/index.js';
import { MkaLab } from '../../helpers/mka-lab.js';
import { CAK, SCI_DX, SCI_RT, cfg } from './fixtures.js';
import type { KayConfig } from '../../../src/mka/types.js';

function lab2(a: Partial<KayConfig>, b: Partial<KayConfig>) {
  const lab = new MkaLab();
  lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, ...a }), 1);
  lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32, ...b }), 2);
  lab.start('dx');
  lab.start('rt');
  return lab;
}

describe('interop knobs', () => {
  it('EAPOL destination address mismatch: MKPDUs counted as validation errors, never secured', () => {
    const lab = lab2({}, { eapolDestination: fromHex('0180c200000e') });
    lab.advance(8000);
    expect(lab.node('dx').kay.status().secured).toBe(false);
    expect(lab.node('dx').kay.counters.inMkpduValidationErrors).toBeGreaterThan(0);
  });

  it('the same alternate DA and EtherType on both ends works; MKPDUs carry them', () => {
    const knobs = { eapolDestination: fromHex('ffffffffffff'), eapolEtherType: 0x876f };
    const lab = lab2(knobs, knobs);
    lab.advance(5000);
    expect(lab.node('dx').kay.status().secured).toBe(true);
    const f = lab.node('dx').mkpdusSent[0]!.frame;
    expect(toHex(f.subarray(0, 6))).toBe('ffffffffffff');
    expect(toHex(f.subarray(12, 14))).toBe('876f');
  });

  it('MKA version 1 sent (as wpa_supplicant) still interoperates with version 3', () => {
    const lab = lab2({ mkaVersion: 1, eapolVersion: 2 }, {});
    lab.advance(5000);
    expect(lab.node('rt').kay.status().secured).toBe(true);
    const m = decodeMkpdu(lab.node('dx').mkpdusSent[0]!.frame);
    expect(m.basic.version).toBe(1);
    expect(m.eapolVersion).toBe(2);
  });

  it('delay protection: bounded hello time, lowest PNs raised from the peer reports', () => {
    const lab = lab2({ delayProtect: true }, { delayProtect: true });
    lab.trafficEveryMs = 10;
    lab.advance(6000);
    const dx = lab.node('dx');
    expect(dx.kay.config.helloTimeMs).toBe(500);
    const raised = dx.secy.log.filter((c) => c.op === 'setLowestPn');
    expect(raised.length).toBeGreaterThan(3);
    expect(lab.node('dx').received).toEqual({ ok: lab.node('rt').sent });
    const last = decodeMkpdu(dx.mkpdusSent[dx.mkpdusSent.length - 1]!.frame);
    expect(last.parameterSets.find((p) => p.type === 3)).toMatchObject({ delayProtect: true });
  });

  it('ICV Indicator on request, accepted by a peer that does not send one', () => {
    const lab = lab2({ includeIcvIndicator: true }, {});
    lab.advance(5000);
    expect(lab.node('rt').kay.status().secured).toBe(true);
    const m = decodeMkpdu(lab.node('dx').mkpdusSent[0]!.frame);
    expect(m.parameterSets[m.parameterSets.length - 1]).toEqual({ type: 255 });
  });

  it('bad configuration is refused with MkaError invalidConfig', () => {
    expect(() => new KaY({ sci: SCI_DX, keyChain: [{ ckn: new Uint8Array(0), cak: CAK }] }, { random: () => new Uint8Array(12) })).toThrow(
      expect.objectContaining({ code: 'invalidConfig' }),
    );
    const four = Array.from({ length: 4 }, () => ({ ckn: fromHex('01'), cak: CAK }));
    expect(() => new KaY({ sci: SCI_DX, keyChain: four }, { random: () => new Uint8Array(12) })).toThrow(/0\.\.3/);
  });
});

describe('secrets', () => {
  it('no CAK, ICK, KEK or SAK in status, events or commands as printed', () => {
    const lab = lab2({}, {});
    lab.advance(5000);
    const dx = lab.node('dx');
    const sak = [...dx.secy.txSas.values()][0]!.key;
    const ick = toHex(dx.kay['participants'][0]!.ick.expose());
    const json = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? toHex(v) : v));
    const text = json(dx.kay.status()) + json(dx.events) + json(dx.secy.log) + String(dx.secy.log.map((c) => JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? 0 : v))));
    for (const secret of [toHex(CAK), sak, ick]) expect(text).not.toContain(secret.slice(0, 24));
    expect(text).toContain('[SAK redacted, 32 octets]');
  });
});
