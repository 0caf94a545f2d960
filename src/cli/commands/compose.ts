/**
 * `dxlab compose TOPOLOGY [--out FILE]`: the lab as a Compose file
 * (src/lab/compose/compose-file.ts) and, beside it, its configuration folder
 * `compose/LAB/` (node configurations and key files, root-only). It
 * overwrites only files it wrote before (their first line says so).
 *
 * `dxlab compose-wire create|end`: the wiring step those files' one-shot
 * `wire-K` services run in the node image (src/lab/compose/wire.ts).
 */
import type { Argv } from 'yargs';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { GENERATED_MARK, LabError, composeFiles, composeImageTag, createWire, loadTopology, setUpWireEnd } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { topologyPath, wrap } from '../lab-context.js';
import { printJson, printLine } from '../output.js';

/** Whether `file` is absent, or one `dxlab compose` wrote (`isOurs` of its text). */
function mayOverwrite(file: string, isOurs: (old: string) => boolean): boolean {
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st) return true;
  // A symbolic link (dangling or not) would be written through, to wherever it points: never ours.
  if (!st.isFile()) return false;
  try {
    return isOurs(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

export function composeCommand(y: Argv): Argv {
  return y.command(
    'compose [topology]',
    'write a Compose file that runs the lab as containers on the node image (and its node configurations and key files in compose/LAB/ beside it)',
    (c) =>
      c
        .positional('topology', { type: 'string', describe: 'topology file (default: the one *.yaml here)' })
        .option('out', { type: 'string', default: 'docker-compose.yml', describe: 'the Compose file to write; compose/LAB/ and pcaps/LAB/ are beside it' })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON document: the files written and the image they name' }),
    (a) => {
      const topoFile = topologyPath(a as { topology?: string });
      const out = resolve(a.out);
      if (!existsSync(dirname(out))) throw new CliError('usage', `--out: no folder ${dirname(out)}`);
      const topo = (() => {
        try {
          return loadTopology(topoFile);
        } catch (e) {
          return wrap(e);
        }
      })();
      const base = dirname(out);
      const configDir = `compose/${topo.name}`;
      const r = (() => {
        try {
          return composeFiles(topo, { image: composeImageTag(), configDir, captureDir: `pcaps/${topo.name}`, madeBy: `dxlab compose ${relative(base, resolve(topoFile))} --out ${basename(out)}` });
        } catch (e) {
          return wrap(e);
        }
      })();
      // Every target is checked before anything is written: a refusal leaves all as it was.
      const dir = join(base, configDir);
      const targets: Array<{ file: string; text: string; mode: number; isOurs: (old: string) => boolean }> = [
        { file: out, text: r.compose, mode: 0o644, isOurs: (old) => old.startsWith(GENERATED_MARK) },
        // A node configuration or key file of an earlier run: the JSON this writes (a node's name first, or a key file's version).
        ...r.files.map((f) => ({ file: join(dir, f.name), text: f.text, mode: f.mode, isOurs: (old: string) => /^\{\n {2}"(name|version)": /.test(old) })),
      ];
      const theirs = targets.find((t) => !mayOverwrite(t.file, t.isOurs));
      if (theirs) throw new CliError('usage', `${theirs.file} exists and was not written by dxlab compose: give another --out, or move it away; nothing written`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      for (const t of targets) {
        writeFileSync(t.file, t.text, { mode: t.mode });
        // The mode of a file that was there already, too: a key file stays root-only.
        chmodSync(t.file, t.mode);
      }
      const shown = (f: string) => relative(process.cwd(), f) || f;
      if (a.json) return printJson({ compose: out, files: targets.slice(1).map((t) => t.file), image: composeImageTag() });
      printLine(`${shown(out)}, and beside it ${r.files.map((f) => join(configDir, f.name)).join(', ')}`);
      const host = process.env.DXLAB_DOCKER_HOST ?? 'unix:///PATH/docker.sock';
      printLine(`run it: docker-compose -H ${host} -f ${shown(out)} up -d   (the node image first: dxlab image build node)`);
    },
  );
}

export function composeWireCommand(y: Argv): Argv {
  const endOpts = (c: Argv) =>
    c.option('wire', { type: 'string', demandOption: true, describe: 'the end in this network namespace' }).option('alias', { type: 'string', demandOption: true, describe: "the end's alias (dxlab LAB NODE:PORT)" });
  const run = (f: () => void) => {
    try {
      f();
    } catch (e) {
      if (e instanceof LabError && e.code === 'badRequest') throw new CliError('usage', e.message, { cause: e });
      return wrap(e);
    }
  };
  return y.command('compose-wire', "a Compose lab's wiring step, in its wire services (dxlab compose): create, end", (c) =>
    c
      .command(
        'create',
        'a veth pair: this end here (set up), the peer in the network namespace of --peer-pid',
        (d) =>
          endOpts(d)
            .option('mac', { type: 'string', demandOption: true })
            .option('mtu', { type: 'number', demandOption: true })
            .option('peer-pid', { type: 'number', demandOption: true, describe: 'a process in the peer end namespace, as seen here' })
            .option('peer-wire', { type: 'string', demandOption: true })
            .option('peer-mac', { type: 'string', demandOption: true }),
        (a) => run(() => createWire({ wire: a.wire, alias: a.alias, mac: a.mac, mtu: a.mtu, peerPid: a.peerPid, peerWire: a.peerWire, peerMac: a.peerMac })),
      )
      .command('end', 'set up the peer end a create put in this network namespace', endOpts, (a) => run(() => setUpWireEnd({ wire: a.wire, alias: a.alias })))
      .demandCommand(1, 'give a subcommand: create or end'),
  );
}
