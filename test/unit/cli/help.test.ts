/**
 * `--help` of every command, at the width of a pipe (110) and of an 80- and
 * a 64-column terminal (COLUMNS): no word is cut across two lines. A cut
 * word leaves pieces ("Conn", "ect") that are no word of the descriptions,
 * so every word of the help must be a word of src/cli's text or of yargs'
 * own, and each command's description must read as written in the source.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';

const MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

/*
 * One process writes every help text (a process per command and width takes
 * minutes on a loaded machine): it runs the built dxlab's main() for each
 * command path, with COLUMNS set as a terminal would have it (stdout is a
 * pipe here, so main() reads COLUMNS), and finds the commands through the
 * "Commands:" section of each help.
 */
const RUNNER = `
import { main } from ${JSON.stringify(MAIN)};
const widths = JSON.parse(process.argv[1]);
const out = {};
let captured = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk) => ((captured += chunk), true);
async function help(path, width) {
  if (width === null) delete process.env.COLUMNS;
  else process.env.COLUMNS = String(width);
  captured = '';
  const code = await main([...path, '--help']);
  if (code !== 0) throw new Error('dxlab ' + path.join(' ') + ' --help exited ' + code);
  return captured;
}
const visit = async (path) => {
  const texts = {};
  for (const w of widths) texts[w === null ? 'pipe' : w] = await help(path, w);
  out[path.join(' ')] = texts;
  const lines = texts[widths[0] === null ? 'pipe' : widths[0]].split('\\n');
  const start = lines.indexOf('Commands:');
  if (start < 0) return;
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    const m = /^ {2}dxlab ((?:[a-z]+ )*[a-z]+)/.exec(line);
    const words = m ? m[1].split(' ') : [];
    // A listed command is the path plus one word; continuation lines start with spaces only.
    if (words.length === path.length + 1 && words.slice(0, -1).join(' ') === path.join(' ')) await visit(words);
  }
};
await visit([]);
write(JSON.stringify(out));
`;

/** Help text per command path ('' for dxlab itself) and per width ('pipe', '80', '64'). */
function allHelp(widths: Array<number | null>): Map<string, Record<string, string>> {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', RUNNER, JSON.stringify(widths)], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`help runner exited ${r.status}: ${r.stderr}`);
  return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, Record<string, string>>));
}

function sourceText(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ts'))
    .map((f) => readFileSync(join(f.parentPath, f.name), 'utf8'))
    .join('\n')
    .replace(/\\'/g, "'");
}

// Words yargs writes itself.
const YARGS = 'Commands: Options: Positionals: Show help version number aliases: default: required choices: boolean string number array count deprecated';

/** The token without the brackets, quotes and commas yargs puts around values. */
const bare = (token: string) => token.replace(/^[[("'`-]+|[\]),:;"'`]+$/g, '');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('dxlab --help', () => {
  // Defaults and descriptions may come from any layer (the API's port, its state file).
  const source = sourceText(join(ROOT, 'src')) + '\n' + YARGS;
  const helps = allHelp([null, 80, 64]);
  const isWord = (w: string) => new RegExp(`(?<![A-Za-z0-9])${escape(w)}(?![A-Za-z0-9])`).test(source);

  it('finds every command', () => {
    expect([...helps.keys()]).toEqual(expect.arrayContaining(['', 'up', 'status', 'show', 'set', 'graph', 'demo', 'pcap decrypt', 'keys generate', 'link up', 'node status', 'node key add']));
  });

  for (const width of ['pipe', '80', '64']) {
    it(`splits no word across lines (${width === 'pipe' ? 'a pipe: 110' : width} columns)`, () => {
      const cut: string[] = [];
      for (const [path, texts] of helps) {
        const text = texts[width]!;
        expect(Math.max(...text.split('\n').map((l) => l.length)), `dxlab ${path} --help`).toBeLessThanOrEqual(width === 'pipe' ? 110 : Number(width));
        for (const token of text.split(/\s+/)) {
          const w = bare(token);
          if (w && !isWord(w)) cut.push(`dxlab ${path} --help: '${token}'`);
        }
      }
      expect(cut).toEqual([]);
    });
  }

  it("prints each command's description as the source writes it", () => {
    for (const [path, texts] of helps) {
      if (!path) continue;
      // The usage line, a blank line, then the description up to the next blank line.
      const para = texts.pipe!.split('\n\n')[1]!;
      const joined = para.split('\n').map((l) => l.trim()).join(' ');
      expect(source, `dxlab ${path} --help`).toContain(joined);
    }
  });
});
