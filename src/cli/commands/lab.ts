/**
 * The lab verbs: up (deploy), down (destroy), status (inspect), show, events,
 * exec, capture, set, graph.
 */
import type { Argv } from 'yargs';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { LabError, labDown, labUp, listLabs, loadTopology, readLabState, runDemo, topologySvg, type LabState } from '../../lab/index.js';
import { NodeError, controlRequest } from '../../node/index.js';
import type { KayStatus } from '../../mka/index.js';
import { CliError } from '../errors.js';
import { note, printJson, printLine, table } from '../output.js';

function wrap(e: unknown): never {
  if (e instanceof LabError) throw new CliError(['badName', 'exists', 'topology', 'notFound'].includes(e.code) ? 'usage' : 'failed', e.message, { cause: e });
  if (e instanceof NodeError) throw new CliError(e.code === 'device' ? 'failed' : 'usage', e.message, { cause: e });
  throw e;
}

/** The topology file: the positional, -t/--topo, or the one *.yaml in the current folder. */
function topologyPath(a: { topology?: string; topo?: string }): string {
  const given = a.topology ?? a.topo;
  if (given) return given;
  const here = readdirSync('.').filter((f) => /\.ya?ml$/.test(f) && f !== 'docker-compose.yml');
  if (here.length === 1) return here[0]!;
  throw new CliError('usage', here.length ? `several *.yaml here (${here.join(', ')}): name one, e.g. dxlab up topologies/router-dx.yaml` : 'no topology: give one, e.g. dxlab up topologies/router-dx.yaml');
}

/** The lab: --name, or the only one running. */
function labName(a: { name?: string; lab?: string }): string {
  const n = a.lab ?? a.name;
  if (n) return n;
  const labs = listLabs();
  if (labs.length === 1) return labs[0]!;
  throw new CliError('usage', labs.length ? `several labs run (${labs.join(', ')}): give --name` : 'no lab is running (dxlab up TOPOLOGY)');
}

function labState(a: { name?: string; lab?: string }): LabState {
  const name = labName(a);
  const s = readLabState(name);
  if (!s) throw new CliError('usage', `no lab named '${name}'`);
  return s;
}

function nodeOf(s: LabState, node: string) {
  const n = s.nodes.find((x) => x.name === node);
  if (!n) throw new CliError('usage', `no node '${node}' in lab ${s.lab} (nodes: ${s.nodes.map((x) => x.name).join(', ')})`);
  return n;
}

async function ask(socket: string, req: Record<string, unknown>): Promise<unknown> {
  try {
    return (await controlRequest(socket, req)).result;
  } catch (e) {
    return wrap(e);
  }
}

const nameOpt = (y: Argv) => y.option('name', { type: 'string', describe: 'lab name (default: the only running lab)' });

export function labCommands(y: Argv): Argv {
  return y
    .command(
      ['up [topology]', 'deploy'],
      'build a lab from a topology file and start its nodes',
      (c) =>
        c
          .positional('topology', { type: 'string', describe: 'topology file (default: the one *.yaml here)' })
          .option('topo', { alias: 't', type: 'string', describe: 'topology file (same as the positional)' })
          .option('name', { type: 'string', describe: "lab name (default: the topology's name)" })
          .option('crypto', { choices: ['native', 'node'] as const, describe: 'AES-GCM engine of every node (default: native where the addon loads)' })
          .option('json', { type: 'boolean', default: false }),
      async (a) => {
        const file = topologyPath(a);
        const topo = (() => {
          try {
            return loadTopology(file);
          } catch (e) {
            return wrap(e);
          }
        })();
        if (a.crypto) process.env.DXLAB_CRYPTO = a.crypto;
        const tty = process.stderr.isTTY && !a.json;
        const state = await labUp(topo, a.name ?? topo.name, (step) => tty && note(`  ${step}`)).catch(wrap);
        if (a.json) printJson(state);
        else {
          printLine(table([['node', 'kind', 'netns', 'pid', 'VIF TAPs'], ...state.nodes.map((n) => [n.name, n.kind, n.netns, String(n.pid), n.taps.map((t) => `${t.name} vlan${t.vlan} ${t.addresses.join(' ')}`).join('; ') || '-'])]));
          note(`lab ${state.lab} is up: dxlab status --name ${state.lab}; dxlab down ${state.lab}`);
        }
      },
    )
    .command(
      ['down [lab]', 'destroy'],
      'stop a lab and remove everything it created',
      (c) => nameOpt(c.positional('lab', { type: 'string' })).option('json', { type: 'boolean', default: false }),
      async (a) => {
        const name = labName(a);
        const r = await labDown(name).catch(wrap);
        if (a.json) printJson({ lab: name, ...r });
        else printLine(r.removed.length ? `removed ${r.removed.join(', ')}` : `nothing of lab ${name} was left`);
        if (r.leftover.length) throw new CliError('failed', `still present: ${r.leftover.join(', ')}`);
      },
    )
    .command(
      ['status', 'inspect'],
      'nodes of the lab: processes, MACsec ports, BGP sessions',
      (c) => nameOpt(c).option('json', { type: 'boolean', default: false }),
      async (a) => {
        const s = labState(a);
        const nodes = await Promise.all(
          s.nodes.map(async (n) => {
            try {
              const st = (await controlRequest(n.socket, { cmd: 'status' })).result as { ports: Array<{ name: string; kind: string; kay?: KayStatus; bgp?: unknown }> };
              return { name: n.name, kind: n.kind, pid: n.pid, running: true, ports: st.ports.map((p) => ({ name: p.name, kind: p.kind, secured: p.kay?.secured ?? null, controlledPort: p.kay?.controlledPort ?? null, reason: p.kay?.notSecured?.reason ?? null })) };
            } catch (e) {
              return { name: n.name, kind: n.kind, pid: n.pid, running: false, error: (e as Error).message, ports: [] };
            }
          }),
        );
        if (a.json) printJson({ lab: s.lab, topology: s.topology, nodes });
        else {
          printLine(`lab ${s.lab} (${s.topology})`);
          printLine(table([['node', 'kind', 'pid', 'port', 'MACsec'], ...nodes.flatMap((n) => (n.ports.length ? n.ports.map((p) => [n.name, n.kind, String(n.pid), p.name, p.kind === 'macsec' ? `${p.secured ? 'secured' : p.controlledPort}${p.reason ? ` (${p.reason})` : ''}` : 'plain']) : [[n.name, n.kind, String(n.pid), '-', n.running ? '-' : 'not running']]))]));
        }
      },
    )
    .command(
      'show <what> <node> [port]',
      'mka, macsec, bgp or counters of a node, as a router shows them',
      (c) =>
        nameOpt(
          c
            .positional('what', { choices: ['mka', 'macsec', 'bgp', 'counters'] as const })
            .positional('node', { type: 'string', demandOption: true })
            .positional('port', { type: 'string' }),
        ).option('json', { type: 'boolean', default: false }),
      async (a) => {
        const s = labState(a);
        const n = nodeOf(s, String(a.node));
        const cmd = a.what === 'counters' ? 'counters' : a.what === 'bgp' ? 'bgp' : 'status';
        const r = (await ask(n.socket, { cmd, ...(a.port ? { port: a.port } : {}) })) as Record<string, any>;
        if (a.json) return printJson(r);
        const ports: Array<Record<string, any>> = r.ports ?? [r];
        for (const p of ports) {
          if (a.what === 'mka') {
            const k = p.kay as KayStatus | undefined;
            if (!k) continue;
            printLine(`${n.name} ${p.name}: MKA ${k.secured ? 'Secured' : 'Not secured'}, mode ${k.mode}, controlled port ${k.controlledPort}${k.notSecured ? ` (${k.notSecured.reason})` : ''}`);
            for (const part of k.participants) {
              printLine(`  CKN ${part.ckn} ${part.principal ? '(principal)' : ''}`);
              printLine(`    Local MI ${part.mi}  MN ${part.mn}  Key server ${part.keyServer ? (part.keyServer.self ? 'yes' : `no (${part.keyServer.sci})`) : '-'}`);
              printLine(table([['  Peer', 'SCI', 'MI', 'MN', 'State'], ...part.livePeers.map((x) => ['', x.sci, x.mi, String(x.mn), 'live']), ...part.potentialPeers.map((x) => ['', x.sci, x.mi, String(x.mn), 'potential'])]));
            }
            if (k.sak) printLine(`  Latest SAK: KN ${k.sak.kn} AN ${k.sak.an} ${k.sak.cipherSuite} tx ${k.sak.transmitting ? 'yes' : 'no'} rx ${k.sak.receiving ? 'yes' : 'no'}${k.oldSak ? `; old KN ${k.oldSak.kn} AN ${k.oldSak.an}` : ''}`);
            printLine(`  Key chain: ${k.keyChain.reason}`);
          } else if (a.what === 'macsec') {
            if (p.kind !== 'macsec') continue;
            printLine(`${n.name} ${p.name}: SCI ${p.sci}  cipher ${p.cipherSuite}  encoding AN ${p.encodingAn ?? '-'}  controlled port ${p.controlledPort}`);
          } else if (a.what === 'counters') {
            printLine(`${n.name} ${p.name}`);
            const rows: string[][] = [];
            const add = (prefix: string, o: Record<string, unknown> | undefined) => o && Object.entries(o).forEach(([k, v]) => typeof v === 'number' && rows.push([`${prefix}${k}`, String(v)]));
            add('', p.secy?.secy);
            add('', p.secy?.txSc);
            for (const sc of p.secy?.rxScs ?? []) add('rx SC: ', sc);
            add('mka: ', p.mka);
            add('port: ', p.port);
            printLine(table(rows).replace(/^/gm, '  '));
          } else {
            printLine(JSON.stringify(p, null, 2));
          }
        }
      },
    )
    .command(
      'events <node> [port]',
      "the KaY's timeline on a node",
      (c) => nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('port', { type: 'string' })).option('follow', { type: 'boolean', default: false }).option('json', { type: 'boolean', default: false }),
      async (a) => {
        const n = nodeOf(labState(a), String(a.node));
        const line = (e: Record<string, any>) => (a.json ? JSON.stringify(e) : `${e.time}  ${e.port}  ${String(e.type).padEnd(17)} ${e.reason}`);
        const r = await controlRequest(n.socket, { cmd: 'events', ...(a.port ? { port: a.port } : {}), follow: a.follow }, a.follow ? (e) => printLine(line(e as Record<string, any>)) : undefined).catch(wrap);
        for (const e of (r.result as { events: Array<Record<string, any>> }).events) printLine(line(e));
        if (a.follow) await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          r.socket.once('close', () => resolve());
        });
        r.socket.destroy();
      },
    )
    .command(
      'exec <node> [cmd..]',
      "run a command in a node's namespace (dxlab exec router -- ping 169.254.100.2)",
      (c) => nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('cmd', { type: 'string', array: true })),
      (a) => {
        const n = nodeOf(labState(a), String(a.node));
        // yargs leaves what follows `--` in `_`, after the verb.
        const cmd = [...((a.cmd as string[] | undefined) ?? []), ...a._.slice(1)].map(String);
        if (!cmd.length) throw new CliError('usage', 'give the command after --, e.g. dxlab exec router -- ip addr');
        const r = spawnSync('ip', ['netns', 'exec', n.netns, ...cmd.map(String)], { stdio: 'inherit' });
        if (r.status !== 0) throw new CliError('failed', `${cmd.join(' ')} exited with ${r.status ?? r.signal}`);
      },
    )
    .command(
      'capture <node> <port>',
      'capture a port to pcapng until Ctrl-C or --duration',
      (c) =>
        nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('port', { type: 'string', demandOption: true }))
          .option('wire', { type: 'boolean', describe: 'MACsec and MKPDUs as on the wire' })
          .option('clear', { type: 'boolean', describe: 'the cleartext of the controlled side' })
          .option('decrypted', { type: 'boolean', describe: 'the wire with MACsec frames decrypted' })
          .option('out', { type: 'string' })
          .option('duration', { type: 'number' })
          .option('json', { type: 'boolean', default: false })
          .check((x) => {
            if ([x.wire, x.clear, x.decrypted].filter(Boolean).length !== 1) throw new Error('give one of --wire, --clear, --decrypted');
            return true;
          }),
      async (a) => {
        const n = nodeOf(labState(a), String(a.node));
        const side = a.wire ? 'wire' : a.clear ? 'clear' : 'decrypted';
        const r = (await ask(n.socket, { cmd: 'capture', port: a.port, side, ...(a.out ? { path: a.out } : {}), ...(a.duration ? { durationS: a.duration } : {}) })) as { path: string };
        if (a.duration === undefined) {
          if (!a.json) note(`capturing ${n.name} ${a.port} (${side}) to ${r.path}; Ctrl-C to stop`);
          await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
          await ask(n.socket, { cmd: 'capture', port: a.port, stop: r.path });
        } else await new Promise((resolve) => setTimeout(resolve, a.duration! * 1000 + 300));
        if (a.json) printJson({ node: n.name, port: a.port, side, path: r.path });
        else printLine(r.path);
      },
    )
    .command(
      'set <node> <port> <what> [args..]',
      'mode no_encrypt|should_encrypt|must_encrypt, key add --ckn --cak, key remove --ckn, rekey',
      (c) =>
        nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('port', { type: 'string', demandOption: true }).positional('what', { choices: ['mode', 'key', 'rekey'] as const }).positional('args', { type: 'string', array: true }))
          .option('ckn', { type: 'string' })
          .option('cak', { type: 'string' })
          .option('json', { type: 'boolean', default: false }),
      async (a) => {
        const n = nodeOf(labState(a), String(a.node));
        const args = (a.args as string[] | undefined) ?? [];
        let req: Record<string, unknown>;
        if (a.what === 'mode') {
          if (!['no_encrypt', 'should_encrypt', 'must_encrypt'].includes(args[0] ?? '')) throw new CliError('usage', `set ${a.node} ${a.port} mode needs no_encrypt, should_encrypt or must_encrypt`);
          req = { cmd: 'setMode', mode: args[0] };
        } else if (a.what === 'rekey') req = { cmd: 'rekey' };
        else if (args[0] === 'add') {
          if (!a.ckn || !a.cak) throw new CliError('usage', 'key add needs --ckn HEX --cak HEX');
          req = { cmd: 'addKey', ckn: a.ckn, cak: a.cak };
        } else if (args[0] === 'remove') {
          if (!a.ckn) throw new CliError('usage', 'key remove needs --ckn HEX');
          req = { cmd: 'removeKey', ckn: a.ckn };
        } else throw new CliError('usage', 'set ... key needs add or remove');
        const r = await ask(n.socket, { ...req, port: a.port });
        if (a.json) printJson(r);
        else printLine(JSON.stringify(r));
      },
    )
    .command(
      'demo',
      'AWS topology 2 from one command: MKA, BGP over MACsec, a ping, captures; then tear down',
      (c) => c.option('keep', { type: 'boolean', default: false, describe: 'leave the lab running (dxlab down demo)' }).option('json', { type: 'boolean', default: false }),
      async (a) => {
        const r = await runDemo({ keep: a.keep, progress: a.json ? undefined : (s) => note(s) }).catch(wrap);
        if (a.json) printJson(r);
        else {
          printLine('captures:');
          for (const c of r.captures) printLine(`  ${c.side.padEnd(9)} ${c.path}`);
          printLine(`keys (secrets): ${r.keys}`);
          printLine('');
          printLine('Open the decrypted copy in any Wireshark: MACsec frames replaced by their cleartext (ARP, BGP, ICMP).');
          printLine('The wire capture shows MACsec and EAPOL-MKA only. Wireshark 4.0 (Debian 12) decrypts no MACsec;');
          printLine('4.4 takes one 16-octet static key; 4.6 takes a SAK table (the .wireshark-macsec-keys.txt file) and a');
          printLine('CKN/CAK table, but not 32-octet CAKs, and no released Wireshark decrypts GCM-AES-XPN-256, which this');
          printLine('lab uses as AWS does. `dxlab pcap decrypt WIRE --keys KEYS --out OUT` writes the decrypted copy again.');
          if (r.kept) printLine(`\nthe lab is still up: dxlab status --name ${r.lab}; dxlab down ${r.lab}`);
          if (r.leftover.length) note(`left behind: ${r.leftover.join(', ')}`);
        }
        if (r.bgpState !== 'Established' || r.pingLossPct !== 0 || r.leftover.length) throw new CliError('failed', `demo: BGP ${r.bgpState}, ping loss ${r.pingLossPct}%${r.leftover.length ? `, left behind: ${r.leftover.join(', ')}` : ''}`);
      },
    )
    .command(
      'graph [topology]',
      'the topology as text, or as an SVG image (--svg FILE)',
      (c) =>
        c
          .positional('topology', { type: 'string' })
          .option('topo', { alias: 't', type: 'string' })
          .option('svg', { type: 'string', describe: 'write the topology as an SVG image to this file' })
          .option('json', { type: 'boolean', default: false }),
      (a) => {
        const file = topologyPath(a);
        if (!existsSync(file)) throw new CliError('usage', `no topology file ${file}`);
        const t = (() => {
          try {
            return loadTopology(file);
          } catch (e) {
            return wrap(e);
          }
        })();
        if (a.json) return printJson(t);
        if (a.svg) {
          writeFileSync(a.svg, topologySvg(t));
          note(`wrote ${a.svg}`);
          return;
        }
        printLine(`${t.name}`);
        for (const n of t.nodes) printLine(`  [${n.name}] ${n.kind}`);
        for (const l of t.links) printLine(`  ${l.a.node}:${l.a.port} ${l.macsec ? '==MACsec==' : '----------'} ${l.b.node}:${l.b.port}`);
        for (const v of t.vifs) printLine(`  VIF ${v.name}: VLAN ${v.vlan}, ${v.ends[0].node} ${v.ipv4[0]} <-> ${v.ends[1].node} ${v.ipv4[1]}${v.bgp ? `, BGP AS${v.bgp.customerAsn} <-> AS${v.bgp.amazonAsn}` : ''}`);
      },
    );
}
