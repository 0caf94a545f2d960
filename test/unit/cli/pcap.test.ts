import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dxlab, dxlabJson } from '../../helpers/cli.js';
import { captureKeys, capturePath, saArgs } from '../../helpers/captures.js';
import type { DecryptReport } from '../../../src/offline/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { readCaptureFile } from '../../../src/io/pcap.js';
import { describeCleartext } from '../../helpers/frames.js';
import { isMacsecFrame } from '../../../src/macsec/index.js';

const tmp = tempDir();

type Counts = DecryptReport;

function sumOk(c: Counts) {
  expect(c.frames).toBe(c.decrypted + c.icvFailed + c.noKey + c.malformed + c.notMacsec);
  for (const v of Object.values(c)) if (typeof v === 'number') expect(Number.isInteger(v)).toBe(true);
}

describe('dxlab pcap decrypt --sa on the real captures', () => {
  for (const file of ['static-gcm-aes-256.pcap', 'static-gcm-aes-xpn-256.pcap', 'mka-cak256.pcap']) {
    it(file, () => {
      const out = join(tmp, `${file}.clear.pcap`);
      const c = dxlabJson<Counts>('pcap', 'decrypt', capturePath(file), '--out', out, ...saArgs(file));
      sumOk(c);
      const k = captureKeys(file);
      expect(c.decrypted).toBe(k.frames.macsec);
      expect(c.mkpdus).toBe(k.frames.mka);
      expect(c.icvFailed + c.noKey + c.malformed).toBe(0);
      const written = readCaptureFile(out);
      expect(written.frames.length).toBe(k.frames.total);
      const kinds = written.frames.filter((f) => !isMacsecFrame(f.data) && f.data[12] !== 0x88).map((f) => describeCleartext(f.data));
      expect(new Set(kinds)).toEqual(new Set(['arp', 'ipv4']));
    });
  }

  it('a wrong SAK: every frame counts as ICV failed, the output keeps them protected', () => {
    const out = join(tmp, 'wrong.pcap');
    const c = dxlabJson<Counts>('pcap', 'decrypt', capturePath('static-gcm-aes-256.pcap'), '--out', out, '--cipher', 'gcm-aes-256', '--sa', `an=0,sak=${'11'.repeat(32)}`);
    sumOk(c);
    expect(c.icvFailed).toBe(24);
    expect(readFileSync(out).equals(readFileSync(capturePath('static-gcm-aes-256.pcap')))).toBe(false);
    expect(readCaptureFile(out).frames.every((f) => isMacsecFrame(f.data))).toBe(true);
  });

  it('an SA for one SC only: the other direction has no key', () => {
    const k = captureKeys('static-gcm-aes-256.pcap');
    const a = k.sas![0]!;
    const c = dxlabJson<Counts>('pcap', 'decrypt', capturePath('static-gcm-aes-256.pcap'), '--out', join(tmp, 'half.pcap'), '--cipher', 'gcm-aes-256', '--sa', `sci=${a.sci},an=0,sak=${a.sak}`);
    expect(c.decrypted).toBeGreaterThan(0);
    expect(c.noKey).toBe(24 - c.decrypted);
  });

  it('reads the same SAs from a key file, and `from` picks between SAKs with the same AN', () => {
    const k = captureKeys('static-gcm-aes-xpn-256.pcap');
    const keyFile = join(tmp, 'xpn.keys.json');
    const saks = k.sas!.map((s) => ({ sci: s.sci, an: s.an, suite: 'gcm-aes-xpn-256', sak: s.sak, ssci: s.ssci, salt: s.salt, firstPn: String(s.first_pn), from: '2020-01-01T00:00:00Z' }));
    // A wrong SAK that was "in use" earlier must not be chosen for these frames.
    saks.push({ ...saks[0]!, sak: '00'.repeat(32), from: '2019-01-01T00:00:00Z' });
    // And one that starts after the capture must not be used either.
    saks.push({ ...saks[1]!, sak: '01'.repeat(32), from: '2099-01-01T00:00:00Z' });
    writeFileSync(keyFile, JSON.stringify({ version: 1, cas: [], saks }));
    const c = dxlabJson<Counts>('pcap', 'decrypt', capturePath('static-gcm-aes-xpn-256.pcap'), '--out', join(tmp, 'xpn.pcap'), '--keys', keyFile);
    expect(c.decrypted).toBe(24);
  });
});

describe('dxlab pcap decrypt --out: the format the name asks for, else the input\'s', () => {
  const file = 'static-gcm-aes-256.pcap';
  const magic = (path: string) => readFileSync(path).readUInt32LE(0);
  const PCAPNG_SHB = 0x0a0d0d0a;
  const PCAP_NS = 0xa1b23c4d;

  it('.pcapng writes pcapng with the same frames as .pcap', () => {
    const ng = join(tmp, 'fmt.pcapng');
    const classic = join(tmp, 'fmt.pcap');
    const r = dxlabJson<Counts & { format: string }>('pcap', 'decrypt', capturePath(file), '--out', ng, ...saArgs(file));
    expect(r.format).toBe('pcapng');
    dxlabJson('pcap', 'decrypt', capturePath(file), '--out', classic, ...saArgs(file));
    expect(magic(ng)).toBe(PCAPNG_SHB);
    expect(magic(classic)).toBe(PCAP_NS);
    const a = readCaptureFile(ng);
    const b = readCaptureFile(classic);
    expect(a.format).toBe('pcapng');
    expect(a.frames.map((f) => [f.timeNs, Buffer.from(f.data).toString('hex')])).toEqual(b.frames.map((f) => [f.timeNs, Buffer.from(f.data).toString('hex')]));
    expect(a.frames.length).toBe(24);
  });

  it('any other name keeps the input format; the upper-case .PCAPNG counts', () => {
    const fromPcap = join(tmp, 'fmt-from-pcap.out');
    dxlabJson('pcap', 'decrypt', capturePath(file), '--out', fromPcap, ...saArgs(file));
    expect(magic(fromPcap)).toBe(PCAP_NS);
    const ng = join(tmp, 'fmt-input.PCAPNG');
    dxlabJson('pcap', 'decrypt', capturePath(file), '--out', ng, ...saArgs(file));
    expect(magic(ng)).toBe(PCAPNG_SHB);
    const fromNg = join(tmp, 'fmt-from-ng.out');
    expect(dxlabJson<{ format: string }>('pcap', 'decrypt', ng, '--out', fromNg, ...saArgs(file)).format).toBe('pcapng');
    expect(magic(fromNg)).toBe(PCAPNG_SHB);
  });

  it('--help says which format it writes', () => {
    expect(dxlab('pcap', 'decrypt', '--help').stdout.replace(/\s+/g, ' ')).toMatch(/pcapng if its name ends in \.pcapng, pcap if in \.pcap, else the format of IN/);
  });
});

describe('dxlab pcap encrypt', () => {
  it('re-encrypting decrypted frames with the same SAs and first PNs gives the captured bytes back', () => {
    const file = 'static-gcm-aes-xpn-256.pcap';
    const clear = join(tmp, 'enc-clear.pcap');
    const again = join(tmp, 'enc-again.pcap');
    dxlabJson('pcap', 'decrypt', capturePath(file), '--out', clear, ...saArgs(file));
    const r = dxlabJson<{ protected: number; copied: number }>('pcap', 'encrypt', clear, '--out', again, ...saArgs(file));
    expect(r).toMatchObject({ protected: 24, copied: 0 });
    const orig = readCaptureFile(capturePath(file)).frames;
    const back = readCaptureFile(again).frames;
    expect(back.map((f) => Buffer.from(f.data).toString('hex'))).toEqual(orig.map((f) => Buffer.from(f.data).toString('hex')));
  });

  it('integrity-only and no-SCI frames decrypt again', () => {
    const file = 'static-gcm-aes-256.pcap';
    const clear = join(tmp, 'io-clear.pcap');
    const prot = join(tmp, 'io-prot.pcap');
    dxlabJson('pcap', 'decrypt', capturePath(file), '--out', clear, ...saArgs(file));
    expect(dxlabJson('pcap', 'encrypt', clear, '--out', prot, ...saArgs(file), '--integrity-only', '--no-sci')).toMatchObject({ protected: 24 });
    const frames = readCaptureFile(prot).frames;
    expect(frames.every((f) => f.data[14] === 0x40)).toBe(true); // ES, AN 0, E = C = 0
    const c = dxlabJson<Counts>('pcap', 'decrypt', prot, '--out', join(tmp, 'io-back.pcap'), ...saArgs(file));
    expect(c.decrypted).toBe(24);
  });
});

describe('dxlab pcap inspect', () => {
  it('one line per frame with the SecTAG fields, and with keys what each frame holds', () => {
    const file = 'static-gcm-aes-256.pcap';
    const plain = dxlab('pcap', 'inspect', capturePath(file));
    expect(plain.status).toBe(0);
    const lines = plain.stdout.trim().split('\n');
    expect(lines).toHaveLength(24);
    expect(lines[0]).toMatch(/52:54:00:99:00:02 > ff:ff:ff:ff:ff:ff\s+MACsec TCI=SC,E,C AN=0 SL=30 PN=1 SCI=52:54:00:99:00:02\/1$/);
    const keyed = dxlab('pcap', 'inspect', capturePath(file), ...saArgs(file));
    expect(keyed.stdout.split('\n')[0]).toMatch(/\[decrypted: ARP request: who has 10\.99\.0\.3\? tell 10\.99\.0\.2\]/);
    const j = dxlabJson<{ frames: Array<{ kind: string; macsec: { pn: number } }> }>('pcap', 'inspect', capturePath(file));
    expect(j.frames[2]!.kind).toBe('macsec');
    expect(j.frames[2]!.macsec.pn).toBe(2);
  });
});

describe('usage errors: exit 2, one line naming the argument', () => {
  const cap = capturePath('static-gcm-aes-256.pcap');
  const cases: Array<[string, string[], RegExp]> = [
    ['key of the wrong length', ['--cipher', 'gcm-aes-256', '--sa', `an=0,sak=${'ab'.repeat(16)}`], /--sa .*sak must be 32 octets/],
    ['odd hex', ['--cipher', 'gcm-aes-256', '--sa', 'an=0,sak=abc'], /--sa .*odd number of hex digits/],
    ['unknown suite', ['--cipher', 'gcm-aes-512', '--sa', 'an=0,sak=00'], /--cipher: unknown cipher suite 'gcm-aes-512'/],
    ['AN out of range', ['--cipher', 'gcm-aes-256', '--sa', `an=4,sak=${'ab'.repeat(32)}`], /--sa .*an must be 0, 1, 2 or 3/],
    ['XPN without salt', ['--cipher', 'gcm-aes-xpn-256', '--sa', `an=0,sak=${'ab'.repeat(32)},ssci=1`], /needs ssci= and salt=/],
    ['unreadable key file', ['--keys', '/nonexistent/keys.json'], /--keys: cannot read \/nonexistent\/keys.json: ENOENT/],
    ['no keys', [], /no keys/],
  ];
  for (const [name, args, msg] of cases) {
    it(name, () => {
      const r = dxlab('pcap', 'decrypt', cap, '--out', join(tmp, 'never.pcap'), ...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stdout).toBe('');
    });
  }
  it('unreadable capture', () => {
    const r = dxlab('pcap', 'inspect', '/nonexistent.pcap');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/FILE: cannot read \/nonexistent.pcap: ENOENT/);
  });
  it('a file that is not a capture', () => {
    const bad = join(tmp, 'not.pcap');
    writeFileSync(bad, 'hello, this is not a capture');
    const r = dxlab('pcap', 'inspect', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a pcap or pcapng file/);
  });
  it('unknown command and --help', () => {
    expect(dxlab('frobnicate').status).toBe(2);
    const h = dxlab('pcap', 'decrypt', '--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/--sa/);
  });
  it('a stack trace only with --debug', () => {
    const r = dxlab('pcap', 'inspect', '/nonexistent.pcap', '--debug');
    expect(r.stderr).toMatch(/\n\s+at /);
    expect(dxlab('pcap', 'inspect', '/nonexistent.pcap').stderr).not.toMatch(/\n\s+at /);
  });
});

describe('dxlab keys generate', () => {
  it('prints a fresh 64-hex CKN and CAK', () => {
    const a = dxlabJson<{ ckn: string; cak: string }>('keys', 'generate');
    const b = dxlabJson<{ ckn: string; cak: string }>('keys', 'generate');
    expect(a.ckn).toMatch(/^[0-9a-f]{64}$/);
    expect(a.cak).toMatch(/^[0-9a-f]{64}$/);
    expect(a.cak).not.toBe(b.cak);
  });
});

describe('MKA keys: --ckn/--cak on the wpa_supplicant capture', () => {
  const k = captureKeys('mka-cak256.pcap');
  it('derives ICK and KEK, verifies the MKPDUs, unwraps the SAK and decrypts all 24 MACsec frames', () => {
    const c = dxlabJson<Counts & { icvErrors: number }>('pcap', 'decrypt', capturePath('mka-cak256.pcap'), '--out', join(tmp, 'mka.pcap'), '--ckn', k.ckn!, '--cak', k.cak!);
    sumOk(c);
    expect(c).toMatchObject({ frames: 37, decrypted: 24, mkpdus: 13, saks: 1, icvFailed: 0, noKey: 0, icvErrors: 0 });
  });
  it('the same CKN/CAK from a key file', () => {
    const kf = join(tmp, 'ca.keys.json');
    writeFileSync(kf, JSON.stringify({ version: 1, cas: [{ ckn: k.ckn, cak: k.cak }], saks: [] }));
    expect(dxlabJson<Counts>('pcap', 'decrypt', capturePath('mka-cak256.pcap'), '--out', join(tmp, 'mka2.pcap'), '--keys', kf)).toMatchObject({ decrypted: 24, saks: 1 });
  });
  it('inspect shows parameter sets and verified ICVs', () => {
    const lines = dxlab('pcap', 'inspect', capturePath('mka-cak256.pcap'), '--ckn', k.ckn!, '--cak', k.cak!).stdout.split('\n');
    expect(lines[0]).toMatch(/MKA v1 SCI 52:54:00:99:00:02\/1 MI a0c9b2360653478ee06c70e3 MN 1 prio 16 KS .*\[ICV ok\]$/);
    expect(lines[2]).toMatch(/live da6279185229cbbc03e65b15\/1 \| DistSAK AN0 KN1 CO1 GCM-AES-128/);
    expect(lines[6]).toMatch(/\[decrypted: ARP request/);
    expect(lines.join('\n')).not.toMatch(new RegExp(captureKeys('mka-cak256.pcap').saks_distributed_by_a![0]!.sak));
  });
  it('keys derive gives the ICK and KEK wpa_supplicant logged', () => {
    expect(dxlabJson('keys', 'derive', '--ckn', k.ckn!, '--cak', k.cak!)).toMatchObject({ ick: k.ick, kek: k.kek, cmac: 'AES-CMAC-256' });
  });
  it('odd --ckn/--cak counts are a usage error', () => {
    const r = dxlab('pcap', 'decrypt', capturePath('mka-cak256.pcap'), '--out', join(tmp, 'n.pcap'), '--ckn', k.ckn!);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ckn and --cak\/--cak-file come in pairs/);
  });
});
