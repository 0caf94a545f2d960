/**
 * Arrows point inward only (STYLE.md §1): cli -> offline/aws/web -> lab -> node;
 * node -> io, mka, bgp; mka -> macsec; all -> shared. Another folder is
 * entered only through its `index.ts`, its public surface (STYLE.md §1), so a
 * file inside a layer can be renamed or split without touching its callers.
 * Pure layers touch no socket, file, child process, timer, wall clock,
 * process state or CSPRNG: those come in as arguments.
 *
 * The checks run on (path, text) pairs so that the last tests can feed them a
 * file with a violation and see it reported: a checker whose pattern never
 * matches would otherwise pass forever.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/cli.js';

const SRC = join(ROOT, 'src');
const ALLOWED: Record<string, string[]> = {
  shared: [],
  macsec: ['shared'],
  mka: ['shared', 'macsec'],
  bgp: ['shared'],
  lacp: ['shared'],
  io: ['shared', 'macsec'],
  node: ['shared', 'macsec', 'mka', 'bgp', 'io', 'lacp'],
  offline: ['shared', 'macsec', 'mka', 'io'],
  lab: ['shared', 'macsec', 'mka', 'bgp', 'io', 'lacp', 'node'],
  aws: ['shared', 'macsec', 'mka', 'io', 'lacp', 'node', 'lab'],
  web: ['shared', 'macsec', 'mka', 'io', 'lacp', 'node', 'lab'],
  scenario: ['shared', 'macsec', 'mka', 'bgp', 'io', 'lacp', 'node', 'lab', 'aws'],
  cli: ['shared', 'macsec', 'mka', 'bgp', 'io', 'lacp', 'node', 'lab', 'aws', 'offline', 'scenario', 'web'],
};
const PURE = ['shared', 'macsec', 'mka', 'bgp', 'lacp'];
const IMPURE: RegExp[] = [
  // Any node: module that reaches the outside world, subpaths included (node:fs/promises).
  /from '(node:)?(fs|net|dgram|child_process|http|https|os|worker_threads|perf_hooks)(\/[a-z/]+)?'/,
  /\bimport\(/,
  /\brequire\(/,
  /\bsetTimeout\(|\bsetInterval\(|\bsetImmediate\(/,
  /\bDate\.now\(/,
  /\bnew Date\(\)/,
  /\bperformance\.now\(/,
  /\brandomBytes\(|\bgetRandomValues\(|\brandomUUID\(/,
  /\bprocess\./,
];

/** A source file as the checks see it: its path under src/ and its text. */
interface SourceFile {
  path: string;
  text: string;
}

function files(dir: string, ext = /\.ts$/): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(p) ? [p] : [];
  });
}

/**
 * A file a reader can hold in their head: at most 800 lines, unless its
 * opening comment (the first 40 lines) says why it is longer with the words
 * "longer than 800 lines" (TypeScript and the addon's C alike).
 */
const MAX_LINES = 800;
function lengthViolations(sources: SourceFile[]): string[] {
  return sources
    .filter(({ text }) => text.split('\n').length > MAX_LINES && !/longer than 800 lines/i.test(text.split('\n').slice(0, 40).join('\n')))
    .map(({ path, text }) => `${path}: ${text.split('\n').length} lines and no reason at its top`);
}

/** Comments may show usage (`crypto.getRandomValues` in a KaY example); only code counts. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

function specifiers(text: string): string[] {
  return [...code(text).matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.\.?\/[^']+)'/g)].map((m) => m[1]!);
}

/** Layer arrows and index-only entry; `hasIndex` says which folders have an index.ts. */
function importViolations(sources: SourceFile[], hasIndex: (layer: string) => boolean): string[] {
  const bad: string[] = [];
  for (const { path, text } of sources) {
    const layer = path.split('/')[0]!;
    if (!(layer in ALLOWED)) {
      bad.push(`${path}: folder '${layer}' is not a known layer`);
      continue;
    }
    for (const spec of specifiers(text)) {
      const target = join(path, '..', spec);
      const [targetLayer, ...rest] = target.split('/');
      if (targetLayer === layer) continue;
      if (!ALLOWED[layer]!.includes(targetLayer!)) bad.push(`${path} imports ${spec} (${layer} -> ${targetLayer})`);
      // shared/ has no index.ts: it is a handful of independent leaf helpers
      // (bytes, secret, errors, key-file) every layer uses directly.
      else if (hasIndex(targetLayer!) && rest.join('/') !== 'index.js') bad.push(`${path} imports ${spec}: go through ${targetLayer}/index.ts`);
    }
  }
  return bad;
}

function purityViolations(sources: SourceFile[]): string[] {
  const bad: string[] = [];
  for (const { path, text } of sources) {
    if (!PURE.includes(path.split('/')[0]!)) continue;
    const body = code(text);
    for (const re of IMPURE) if (re.test(body)) bad.push(`${path}: ${re}`);
  }
  return bad;
}

const srcHasIndex = (layer: string): boolean => existsSync(join(SRC, layer, 'index.ts'));

/**
 * The environment is read at the edge: the CLI (src/cli/node-env.ts holds a
 * node's overrides, DXLAB_CRYPTO, DXLAB_FASTPATH, DXLAB_TAP_*,
 * DXLAB_PACKET_RING) and the inner layers take options (STYLE.md §1:
 * components are handed in). Two defaults stay where every caller needs
 * them, tests included: the labs' state root (DXLAB_STATE_DIR) and the
 * control client's timeout (DXLAB_CONTROL_TIMEOUT_S, an overridable default
 * parameter).
 */
const ENV_READERS = ['lab/paths.ts', 'node/control-client.ts'];
function envViolations(sources: SourceFile[]): string[] {
  return sources.filter(({ path, text }) => !path.startsWith('cli/') && !ENV_READERS.includes(path) && /\bprocess\.env\b/.test(code(text))).map(({ path }) => `${path} reads process.env`);
}

describe('architecture', () => {
  const all: SourceFile[] = files(SRC).map((f) => ({ path: relative(SRC, f), text: readFileSync(f, 'utf8') }));
  it('every layer imports only inner layers, and only through their index.ts', () => {
    expect(importViolations(all, srcHasIndex)).toEqual([]);
  });
  it('pure layers do no I/O and read no clock, process state or randomness of their own', () => {
    expect(purityViolations(all)).toEqual([]);
  });

  it(`no source file (TypeScript or C) over ${MAX_LINES} lines without a reason at its top`, () => {
    const native = files(SRC, /\.(ts|c|h)$/).map((f) => ({ path: relative(SRC, f), text: readFileSync(f, 'utf8') }));
    expect(native.length).toBeGreaterThan(all.length);
    expect(lengthViolations(native)).toEqual([]);
  });

  it('only the edge reads environment variables', () => {
    expect(envViolations(all)).toEqual([]);
  });

  describe('the checks report a violation', () => {
    it('a file over 800 lines, unless its top says why', () => {
      const long = Array.from({ length: 801 }, (_, i) => `x${i};`).join('\n');
      expect(lengthViolations([{ path: 'io/native/big.c', text: long }])).toEqual(['io/native/big.c: 801 lines and no reason at its top']);
      expect(lengthViolations([{ path: 'io/native/big.c', text: `/* One table of the standard: longer than 800 lines, as one piece. */\n${long}` }])).toEqual([]);
      expect(lengthViolations([{ path: 'mka/kay.ts', text: long.split('\n').slice(0, 800).join('\n') }])).toEqual([]);
    });
    it('an environment variable read inside', () => {
      expect(envViolations([{ path: 'node/macsec-port.ts', text: "if (process.env.DXLAB_FASTPATH === '0') off();" }])).toEqual(['node/macsec-port.ts reads process.env']);
      expect(envViolations([{ path: 'cli/node-env.ts', text: 'const v = process.env.DXLAB_FASTPATH;' }])).toEqual([]);
    });
    it('an outward import', () => {
      const bad = importViolations([{ path: 'mka/kay.ts', text: "import { Node } from '../node/index.js';" }], srcHasIndex);
      expect(bad).toEqual(["mka/kay.ts imports ../node/index.js (mka -> node)"]);
    });
    it('a deep import past a folder index, static, re-exported or dynamic', () => {
      const bad = importViolations(
        [
          { path: 'mka/kay.ts', text: "import { sciToString } from '../macsec/sci.js';" },
          { path: 'cli/commands/pcap.ts', text: "export { readCaptureFile } from '../../io/pcap.js';\nconst m = await import('../../offline/mka-keys.js');" },
        ],
        srcHasIndex,
      );
      expect(bad).toEqual([
        'mka/kay.ts imports ../macsec/sci.js: go through macsec/index.ts',
        'cli/commands/pcap.ts imports ../../io/pcap.js: go through io/index.ts',
        'cli/commands/pcap.ts imports ../../offline/mka-keys.js: go through offline/index.ts',
      ]);
    });
    it('but not an import through the index, inside a folder, or of shared/', () => {
      const ok = importViolations(
        [
          { path: 'mka/kay.ts', text: "import { sciToString } from '../macsec/index.js';\nimport { decodeMkpdu } from './mkpdu/codec.js';\nimport { toHex } from '../shared/bytes.js';" },
        ],
        srcHasIndex,
      );
      expect(ok).toEqual([]);
    });
    it.each([
      ["import { readFile } from 'node:fs/promises';", 'fs'],
      ["import { readFileSync } from 'fs';", 'fs'],
      ['const t0 = performance.now();', 'performance'],
      ['const iv = crypto.getRandomValues(new Uint8Array(12));', 'getRandomValues'],
      ["const on = process.env['DXLAB_FASTPATH'] !== '0';", 'process'],
      ['setTimeout(tick, 2000);', 'setTimeout'],
      ['const now = Date.now();', 'Date'],
    ])('impure code in a pure layer: %s', (text, word) => {
      const bad = purityViolations([{ path: 'macsec/secy.ts', text }]);
      expect(bad).toHaveLength(1);
      expect(bad[0]).toContain(word);
    });
    it('lacp/ is a pure layer: a timer or the clock in it is reported', () => {
      expect(purityViolations([{ path: 'lacp/lag.ts', text: 'setTimeout(tick, 1000);\nconst t = Date.now();' }])).toEqual(['lacp/lag.ts: /\\bsetTimeout\\(|\\bsetInterval\\(|\\bsetImmediate\\(/', 'lacp/lag.ts: /\\bDate\\.now\\(/']);
      expect(importViolations([{ path: 'lacp/lag.ts', text: "import { LabNode } from '../node/index.js';" }], srcHasIndex)).toEqual(['lacp/lag.ts imports ../node/index.js (lacp -> node)']);
    });
    it('but not in a comment, nor outside the pure layers', () => {
      const example = '/**\n * @example\n * new KaY(c, { random: (n) => crypto.getRandomValues(new Uint8Array(n)) });\n */\n// process.env is read by the node\n';
      expect(purityViolations([{ path: 'mka/kay.ts', text: example }])).toEqual([]);
      expect(purityViolations([{ path: 'node/node.ts', text: 'process.exit(1);' }])).toEqual([]);
    });
  });
});
