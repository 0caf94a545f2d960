/**
 * Scenario files: the schema and the checks after it report the file, the
 * line and the field; every shipped scenario parses; the bound and field
 * helpers the runner's assertions use.
 */
import { describe, expect, it } from 'vitest';
import { LAB_ROOT, ScenarioError, fieldOf, flatCounters, loadScenario, meets, parseIperfReport, parseScenario, scenarioNames } from '../../../src/scenario/index.js';

const HEAD = `name: t1
title: a test
minutes: 1
teaches: nothing
topology: topology.yaml
steps:
`;

function error(text: string): ScenarioError {
  try {
    parseScenario(text, 'x.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('parsed');
}

describe('parseScenario', () => {
  it('reads steps with their kind, verb, fields and line', () => {
    const s = parseScenario(HEAD + `  - say: hello\n    try: [dxlab status]\n  - do: set\n    node: router\n    port: eth1\n    knob: mode\n    value: must_encrypt\n  - wait: status\n    node: dx\n    port: eth1\n    field: secured\n    equals: true\n`, 'x.yaml');
    expect(s.api).toBe(false);
    expect(s.steps.map((x) => [x.kind, x.verb, x.line])).toEqual([
      ['say', 'hello', 7],
      ['do', 'set', 9],
      ['wait', 'status', 14],
    ]);
    expect(s.steps[1]!.args).toEqual({ node: 'router', port: 'eth1', knob: 'mode', value: 'must_encrypt' });
  });

  it('names the line and field of an unknown action', () => {
    const e = error(HEAD + `  - say: hi\n  - do: explode\n    node: dx\n`);
    expect(e.code).toBe('file');
    expect(e.message).toMatch(/^x\.yaml:8: steps\.1\.do: must be one of "set", "key-add"/);
  });

  it('names an unknown field of a step, and a missing one', () => {
    expect(error(HEAD + `  - do: kill\n    node: dx\n    nod: router\n`).message).toBe("x.yaml:7: steps.0: unknown field 'nod'");
    expect(error(HEAD + `  - wait: event\n    node: dx\n`).message).toBe("x.yaml:7: steps.0: missing field 'type'");
  });

  it('refuses a step with two kinds, and a bad node name', () => {
    expect(error(HEAD + `  - say: hi\n    do: kill\n`).message).toBe('x.yaml:7: steps.0: a step has exactly one of say, do, wait, expect');
    expect(error(HEAD + `  - do: kill\n    node: Router\n`).message).toMatch(/^x\.yaml:8: steps\.0\.node: "Router" is not a node name/);
  });

  it('refuses an assertion on traffic that was never started or is still running', () => {
    expect(error(HEAD + `  - expect: traffic\n    id: p\n    lostAtMost: 0\n`).message).toBe("x.yaml:8: steps.0.id: no traffic 'p' was started before this step");
    expect(error(HEAD + `  - do: traffic-start\n    id: p\n    from: router\n    to: 10.0.0.1\n  - expect: traffic\n    id: p\n`).message).toMatch(/^x\.yaml:12: steps\.1\.id: traffic 'p' is asserted on before it stops/);
    expect(error(HEAD + `  - do: capture-stop\n    id: c\n`).message).toMatch(/no capture 'c' was started/);
  });

  it('reads a TCP stream, its assertions, a BGP state that must be left and a wait on a counter', () => {
    const s = parseScenario(
      HEAD +
        `  - do: traffic-start\n    id: s\n    kind: tcp\n    from: router\n    to: 169.254.100.2\n    seconds: 10\n    rateMbps: 1\n  - do: traffic-stop\n    id: s\n  - expect: traffic\n    id: s\n    survived: true\n    stalledAtMostS: 5\n    lostAtMost: 0\n` +
        `  - wait: bgp\n    node: dx\n    notState: Established\n  - expect: bgp\n    node: dx\n    notState: Established\n  - wait: counter\n    node: dx\n    port: eth1\n    counter: inMkpduIcvVerificationErrors\n    grownBy: 3\n    timeoutS: 10\n`,
      'x.yaml',
    );
    expect(s.steps.map((x) => `${x.kind} ${x.verb}`)).toEqual(['do traffic-start', 'do traffic-stop', 'expect traffic', 'wait bgp', 'expect bgp', 'wait counter']);
    expect(s.steps[0]!.args).toEqual({ id: 's', kind: 'tcp', from: 'router', to: '169.254.100.2', seconds: 10, rateMbps: 1 });
    expect(s.steps[5]!.args.grownBy).toBe(3);
  });

  it('refuses a TCP stream without its length, stream fields on a ping, and a BGP step with neither or both states', () => {
    expect(error(HEAD + `  - do: traffic-start\n    id: s\n    kind: tcp\n    from: router\n    to: 10.0.0.1\n`).message).toBe("x.yaml:7: steps.0: missing field 'seconds'");
    expect(error(HEAD + `  - do: traffic-start\n    id: s\n    kind: udp\n    from: router\n    to: 10.0.0.1\n`).message).toBe('x.yaml:9: steps.0.kind: must be one of "ping", "tcp"');
    expect(error(HEAD + `  - do: traffic-start\n    id: s\n    from: router\n    to: 10.0.0.1\n    seconds: 5\n`).message).toMatch(/^x\.yaml:7: steps\.0/);
    expect(error(HEAD + `  - wait: bgp\n    node: dx\n`).message).toMatch(/^x\.yaml:7: steps\.0/);
    expect(error(HEAD + `  - expect: bgp\n    node: dx\n    state: Established\n    notState: Idle\n`).message).toMatch(/^x\.yaml:7: steps\.0/);
    expect(error(HEAD + `  - wait: counter\n    node: dx\n    port: eth1\n    counter: x\n    grownBy: 0\n`).message).toMatch(/^x\.yaml:11: steps\.0\.grownBy/);
  });

  it('names a missing top-level field and YAML that does not parse', () => {
    expect(error(`name: t1\nsteps: [{say: hi}]\n`).message).toBe("x.yaml:1: (top): missing field 'title'");
    expect(error(`name: [\n`).message).toMatch(/^x\.yaml:\d+: not YAML/);
  });
});

describe('shipped scenarios', () => {
  it('every folder of lab/ parses, and its topology and guide exist', async () => {
    const names = scenarioNames();
    expect(names.length).toBeGreaterThan(0);
    const { existsSync } = await import('node:fs');
    const { join, resolve } = await import('node:path');
    for (const n of names) {
      const { scenario, dir } = loadScenario(n);
      expect(scenario.name).toBe(n);
      expect(existsSync(resolve(dir, scenario.topology))).toBe(true);
      expect(existsSync(join(dir, 'README.md'))).toBe(true);
    }
    // lab/README.md lists each one.
    const { readFileSync } = await import('node:fs');
    const index = readFileSync(join(LAB_ROOT, 'README.md'), 'utf8');
    expect(names.filter((n) => !index.includes(`(${n}/README.md)`))).toEqual([]);
  });

  it('an unknown name says which exist', () => {
    expect(() => loadScenario('no-such-thing')).toThrow(/no scenario 'no-such-thing'.*should-encrypt-fallback/);
  });
});

describe('assertion helpers', () => {
  it('fieldOf follows dotted paths and array indexes', () => {
    expect(fieldOf({ kay: { notSecured: { code: 'wrongCak' } } }, 'kay.notSecured.code')).toBe('wrongCak');
    expect(fieldOf({ keyChain: [{ ckn: 'a' }] }, 'keyChain.0.ckn')).toBe('a');
    expect(fieldOf({ kay: null }, 'kay.sak.an')).toBeUndefined();
  });

  it('meets checks every bound given and words them', () => {
    expect(meets(3, { atLeast: 1, atMost: 3 })).toEqual({ held: true, want: '>= 1 and <= 3' });
    expect(meets(4, { atLeast: 1, atMost: 3 }).held).toBe(false);
    expect(meets('blocked', { oneOf: ['blocked', 'clear'] }).held).toBe(true);
    expect(meets(true, { equals: false })).toEqual({ held: false, want: '= false' });
    expect(meets(undefined, { notEquals: 'x' }).held).toBe(true);
  });

  it('parseIperfReport: octets sent and received, stalled seconds, whether the connection survived', () => {
    const iv = (b: number[]) => b.map((bytes) => ({ sum: { bytes, seconds: 0.5 } }));
    const ok = JSON.stringify({ intervals: iv([262144, 0, 0, 0, 524288]), end: { sum_sent: { bytes: 786432 }, sum_received: { bytes: 786432 } } });
    expect(parseIperfReport(ok, 0)).toEqual({ kind: 'tcp', sent: 786432, received: 786432, lost: 0, stalledS: 1.5, survived: true });
    // iperf3 says why in "error" when the connection broke; its exit status is then not 0.
    const broke = JSON.stringify({ intervals: iv([262144, 0]), end: { sum_sent: { bytes: 262144 }, sum_received: { bytes: 131072 } }, error: 'control socket has closed unexpectedly' });
    expect(parseIperfReport(broke, 1)).toEqual({ kind: 'tcp', sent: 262144, received: 131072, lost: 131072, stalledS: 0.5, survived: false, error: 'control socket has closed unexpectedly' });
    expect(parseIperfReport('iperf3: error - unable to connect to server', 1)).toMatchObject({ survived: false, received: 0, error: expect.stringContaining('unable to connect') });
  });

  it('flatCounters sums a counter over the places it appears', () => {
    expect(flatCounters({ name: 'eth1', secy: { inPktsOk: 2, rxSc: [{ inPktsLate: 1 }, { inPktsLate: 2 }] }, kay: { inMkpdu: 5 } })).toEqual({ inPktsOk: 2, inPktsLate: 3, inMkpdu: 5 });
    // An SC's per-SA copies are not counted again (a frame that failed its ICV shows on the SC and on the SA).
    expect(flatCounters({ rxScs: [{ inPktsNotValid: 7, sas: [{ an: 0, inPktsNotValid: 7 }] }], txSas: [{ an: 0, outPktsProtected: 3 }] })).toEqual({ inPktsNotValid: 7 });
  });
});
