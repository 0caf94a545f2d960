/**
 * A provider's network of two edges (root): router -- pe1 -- pe2 -- dx,
 * both provider bridges carrying the customer's frames in S-VLAN 300. Each
 * edge pushes the 802.1ad S-tag (0x88A8) towards the other and pops it
 * towards its customer, so a capture on the wire between them holds only
 * S-tagged frames, and the MACsec peers never see a tag. MKA crosses both
 * edges because the topology moves it to 01:80:C2:00:00:00, which an S-VLAN
 * component carries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureFile } from '../../src/io/index.js';
import { sTagVid } from '../../src/node/provider.js';
import { ROOT } from '../helpers/cli.js';
import { LabSession } from '../helpers/lab-session.js';

const isRoot = process.getuid?.() === 0;

type Dirs = Record<string, { sTagPushed: number; sTagPopped: number; sTagMismatch: number; filteredReserved: number }>;

describe.skipIf(!isRoot)('provider network: two edges with an S-tag', () => {
  const s = new LabSession('pe');
  const out = mkdtempSync(join(tmpdir(), 'dxlab-stag-'));
  const counters = (n: string) => s.json<{ inPath: Dirs }>('show', 'counters', n).inPath;

  beforeAll(async () => {
    const text = readFileSync(join(ROOT, 'topologies/provider-router-dx.yaml'), 'utf8')
      .replace('    isp: { kind: provider, mode: provider-bridge }\n', '    pe1: { kind: provider, mode: provider-bridge, sVlan: 300 }\n    pe2: { kind: provider, mode: provider-bridge, sVlan: 300 }\n')
      .replace('      via: [isp]\n      macsec: true\n', '      via: [pe1, pe2]\n      macsec: { eapolDestination: "01:80:c2:00:00:00" }\n');
    expect(text).toContain('via: [pe1, pe2]');
    s.up(text);
    await s.waitFor('secured across two provider edges', () => s.status(), s.secured('router', 'dx'));
  }, 120_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
    s.down();
  }, 60_000);

  it('each edge pushes the S-tag towards the other and pops it towards its customer; the wire between them carries S-VLAN 300 only', () => {
    const file = join(out, 'nni.pcapng');
    const cap = s.dxlab('capture', 'pe1', 'eth2', '--wire', '--out', file, '--duration', '3');
    expect(cap.status, cap.stderr).toBe(0);
    expect(s.exec('router', 'ping', '-c', '2', '-i', '0.3', '-W', '2', '169.254.100.2').status).toBe(0);
    const frames = readCaptureFile(file).frames;
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.map((f) => sTagVid(f.data)).every((v) => v === 300)).toBe(true);
    const pe1 = counters('pe1');
    const pe2 = counters('pe2');
    expect(pe1['router -> pe2']!.sTagPushed).toBeGreaterThan(0);
    expect(pe1['pe2 -> router']!.sTagPopped).toBeGreaterThan(0);
    expect(pe2['pe1 -> dx']!.sTagPopped).toBeGreaterThan(0);
    expect(pe2['dx -> pe1']!.sTagPushed).toBeGreaterThan(0);
    for (const d of [...Object.values(pe1), ...Object.values(pe2)]) expect(d.sTagMismatch).toBe(0);
    expect(s.dxlab('status').stdout).toMatch(/pe1\s+provider\s+\d+\s+eth2\s+provider-bridge\s+in path, faces pe2\n/);
  }, 60_000);
});
