/**
 * `npm run bench`: SecY throughput per cipher suite and frame size, on the
 * addon's GCM engines (OpenSSL: per-SA contexts; intel-ipsec-mb: per-SA
 * expanded keys, where the library loads) and on the node:crypto engine, beside plain node:crypto AES-GCM (one createCipheriv
 * per frame) on the same data in the same run. Prints a table (or JSON with
 * --json).
 *
 * Frame size is the unprotected frame, DA to the end of the payload (no FCS).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CIPHER_SUITES, SecY, nodeGcmEngine, sciFromHex, type CipherSuite, type GcmEngine } from '../src/macsec/index.js';
import { ipsecMbGcmEngine, nativeGcmEngines, opensslGcmEngine, selectGcmEngine } from '../src/io/index.js';
import { mkaBench } from './mka.js';

const SIZES = [64, 512, 1500, 9000];
const json = process.argv.includes('--json');
const budgetMs = Number(process.env.DXLAB_BENCH_MS ?? 400);

interface Row {
  suite: string;
  size: number;
  op: 'protect' | 'validate';
  /** SecY on the node:crypto engine. */
  secyFps: number;
  secyGbps: number;
  plainFps: number;
  plainGbps: number;
  /** SecY (node:crypto engine) time per frame over plain node:crypto time per frame, minus 1. */
  overhead: number;
  /** SecY on the addon's OpenSSL engine (absent when the addon does not load). */
  nativeFps?: number;
  nativeGbps?: number;
  /** Native SecY frames/s over node:crypto SecY frames/s. */
  nativeSpeedup?: number;
  /** SecY on the addon's intel-ipsec-mb engine (absent where it does not load). */
  ipsecMbFps?: number;
  ipsecMbGbps?: number;
  /** intel-ipsec-mb SecY frames/s over node:crypto SecY frames/s. */
  ipsecMbSpeedup?: number;
}

const native = selectGcmEngine().fallback === undefined;
const ipsecMb = nativeGcmEngines().includes(ipsecMbGcmEngine);

/**
 * Runs the functions in alternating rounds until the budget is used, so
 * that all see the same machine (other processes, CPU frequency); returns
 * frames per second of each one's best round.
 */
function rates(...fns: Array<(i: number) => void>): number[] {
  const best = fns.map(() => 0);
  const end = performance.now() + budgetMs * (fns.length / 2);
  let i = 0;
  while (performance.now() < end) {
    fns.forEach((fn, which) => {
      const n = 1000;
      const t0 = performance.now();
      for (let k = 0; k < n; k++) fn(i++);
      const fps = n / ((performance.now() - t0) / 1000);
      if (fps > best[which]!) best[which] = fps;
    });
  }
  return best;
}

function secys(suite: CipherSuite, engine: GcmEngine) {
  const sak = new Uint8Array(suite.keyLength).fill(7);
  const salt = new Uint8Array(12).fill(9);
  const txSci = sciFromHex('0200000000010001');
  const tx = new SecY({ txSci, cipherSuite: suite, pnThreshold: 1n << 62n, engine });
  tx.createTxSa({ an: 0, sak, ssci: suite.xpn ? 1 : undefined, salt: suite.xpn ? salt : undefined });
  tx.enableTxSa(0);
  const rx = new SecY({ txSci: sciFromHex('0200000000020001'), cipherSuite: suite, replayProtect: false, engine });
  rx.createRxSc(txSci);
  rx.createRxSa(txSci, { an: 0, sak, ssci: suite.xpn ? 1 : undefined, salt: suite.xpn ? salt : undefined });
  rx.enableRxSa(txSci, 0);
  return { sak, tx, rx };
}

function bench(suite: CipherSuite, size: number): Row[] {
  const { sak, tx, rx } = secys(suite, nodeGcmEngine);
  // Without the addon the native columns stay empty (and the node engine runs twice, unreported).
  const nat = secys(suite, native ? opensslGcmEngine : nodeGcmEngine);
  const imb = secys(suite, ipsecMb ? ipsecMbGcmEngine : nodeGcmEngine);

  const frame = new Uint8Array(size).fill(0x42);
  frame[12] = 0x08;
  frame[13] = 0x00;
  const protectedFrames: Uint8Array[] = [];
  for (let i = 0; i < 1024; i++) {
    const r = tx.protect(frame);
    if (!r.ok) throw new Error(r.reason);
    protectedFrames.push(r.frame);
  }

  const algo = suite.keyLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
  const key = Buffer.from(sak);
  const iv = Buffer.alloc(12, 1);
  const aad = Buffer.alloc(28, 2);
  const pt = Buffer.from(frame.subarray(12));
  const c = createCipheriv(algo, key, iv);
  c.setAAD(aad);
  const ct = c.update(pt);
  c.final();
  const tag = c.getAuthTag();

  const [plainSeal, secyProtect, nativeProtect, imbProtect] = rates(
    () => {
      const e = createCipheriv(algo, key, iv);
      e.setAAD(aad);
      e.update(pt);
      e.final();
      e.getAuthTag();
    },
    () => {
      tx.protect(frame);
    },
    () => {
      nat.tx.protect(frame);
    },
    () => {
      imb.tx.protect(frame);
    },
  );
  const [plainOpen, secyValidate, nativeValidate, imbValidate] = rates(
    () => {
      const d = createDecipheriv(algo, key, iv);
      d.setAAD(aad);
      d.setAuthTag(tag);
      d.update(ct);
      d.final();
    },
    (i) => {
      const r = rx.validate(protectedFrames[i & 1023]!);
      if (!r.ok) throw new Error(r.verdict);
    },
    (i) => {
      const r = nat.rx.validate(protectedFrames[i & 1023]!);
      if (!r.ok) throw new Error(r.verdict);
    },
    (i) => {
      const r = imb.rx.validate(protectedFrames[i & 1023]!);
      if (!r.ok) throw new Error(r.verdict);
    },
  );
  const gbps = (fps: number) => (fps * size * 8) / 1e9;
  const row = (op: Row['op'], s: number, p: number, n: number, m: number): Row => ({
    suite: suite.name,
    size,
    op,
    secyFps: Math.round(s),
    secyGbps: +gbps(s).toFixed(3),
    plainFps: Math.round(p),
    plainGbps: +gbps(p).toFixed(3),
    overhead: +(p / s - 1).toFixed(3),
    ...(native ? { nativeFps: Math.round(n), nativeGbps: +gbps(n).toFixed(3), nativeSpeedup: +(n / s).toFixed(2) } : {}),
    ...(ipsecMb ? { ipsecMbFps: Math.round(m), ipsecMbGbps: +gbps(m).toFixed(3), ipsecMbSpeedup: +(m / s).toFixed(2) } : {}),
  });
  return [row('protect', secyProtect!, plainSeal!, nativeProtect!, imbProtect!), row('validate', secyValidate!, plainOpen!, nativeValidate!, imbValidate!)];
}

const rows: Row[] = [];
for (const suite of CIPHER_SUITES) for (const size of SIZES) rows.push(...bench(suite, size));
const mka = await mkaBench();

if (json) {
  process.stdout.write(JSON.stringify({ secy: rows, mka }, null, 2) + '\n');
} else {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log('SecY on the addon\'s GCM engines (intel-ipsec-mb, OpenSSL) and on the node:crypto engine, versus plain node:crypto AES-GCM (createCipheriv per frame); same data, same run');
  console.log(native ? '' : 'native GCM engines unavailable (addon not built): native columns empty\n');
  if (native && !ipsecMb) console.log('intel-ipsec-mb engine unavailable here: ipsec-mb columns empty\n');
  console.log('suite             size  op       ipsec-mb frames/s  Gbit/s  openssl frames/s  Gbit/s   SecY frames/s  Gbit/s   plain frames/s  Gbit/s  ipsec-mb/SecY  openssl/SecY  SecY overhead');
  const col = (fps: number | undefined, g: number | undefined, w: number) => (fps !== undefined ? `${String(fps).padStart(w)} ${g!.toFixed(3).padStart(7)}` : `${'-'.padStart(w)} ${'-'.padStart(7)}`);
  const times = (x: number | undefined) => (x !== undefined ? `${x.toFixed(2)}x` : '-');
  for (const r of rows) {
    console.log(
      `${r.suite.padEnd(16)} ${String(r.size).padStart(5)}  ${r.op.padEnd(8)} ${col(r.ipsecMbFps, r.ipsecMbGbps, 17)} ${col(r.nativeFps, r.nativeGbps, 17)}  ${String(r.secyFps).padStart(14)} ${r.secyGbps.toFixed(3).padStart(7)}  ${String(r.plainFps).padStart(15)} ${r.plainGbps.toFixed(3).padStart(7)}  ${times(r.ipsecMbSpeedup).padStart(13)}  ${times(r.nativeSpeedup).padStart(12)}  ${pct(r.overhead).padStart(13)}`,
    );
  }
  const at1500 = rows.filter((r) => r.size === 1500);
  const worst = Math.max(...at1500.map((r) => r.overhead));
  console.log(`\nworst SecY (node:crypto engine) overhead at 1500 octets: ${pct(worst)} (target: at most 15%)`);
  if (native) console.log(`openssl engine at 1500 octets: ${Math.min(...at1500.map((r) => r.nativeSpeedup!)).toFixed(2)}x to ${Math.max(...at1500.map((r) => r.nativeSpeedup!)).toFixed(2)}x the node:crypto SecY`);
  if (ipsecMb) console.log(`ipsec-mb engine at 1500 octets: ${Math.min(...at1500.map((r) => r.ipsecMbSpeedup!)).toFixed(2)}x to ${Math.max(...at1500.map((r) => r.ipsecMbSpeedup!)).toFixed(2)}x the node:crypto SecY`);
  for (const line of mka.lines) console.log(line);
}
