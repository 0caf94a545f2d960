/**
 * `dxlab node --config FILE` runs one lab device; `dxlab node
 * status|counters|events|key|vif|mode|rekey|capture --socket PATH` talks to a
 * running one through its control socket.
 */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { CRYPTO_CHOICES } from '../../io/index.js';
import { NodeError, controlRequest, type BgpPeerStatus, type CaptureInfo, type PortEvent } from '../../node/index.js';
import type { KayStatus } from '../../mka/index.js';
import { CAK_FILE_HELP, CAK_HELP, cknCakPairs } from '../cak-args.js';
import { CliError } from '../errors.js';
import { runNodeProcess } from '../node-process.js';
import { printJson, printLine, table, note } from '../output.js';
import { outPath, runCapture, stopCapture, type Ask } from '../capture-session.js';
import { renderBgp } from '../render.js';

async function ask(socket: string, req: Record<string, unknown>): Promise<unknown> {
  try {
    return (await controlRequest(socket, req)).result;
  } catch (e) {
    if (e instanceof NodeError) throw new CliError(e.code === 'device' || e.code === 'timeout' ? 'failed' : 'usage', e.message, { cause: e });
    throw e;
  }
}

const socketOpt = (y: Argv) =>
  y
    .option('socket', { type: 'string', demandOption: true, describe: "the node's control socket (its config's controlSocket)" })
    .option('port', { type: 'string', describe: 'port name (default: the only port)' })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON document on stdout' });

/** The handler of a verb that asks the node `cmd` about a port: its answer as JSON, or as `print` renders it. */
const portQuery = (cmd: string, print: (r: Record<string, unknown>) => void) => async (a: { socket: string; port: string | undefined; json: boolean }) => {
  const r = (await ask(a.socket, { cmd, port: a.port })) as Record<string, unknown>;
  if (a.json) printJson(r);
  else print(r);
};

function printStatus(s: Record<string, unknown>): void {
  const ports = (s.ports as Array<Record<string, unknown>> | undefined) ?? [s];
  if (s.ports) printLine(`node ${s.name} (${s.kind}), pid ${s.pid}, up ${s.uptimeS} s`);
  for (const p of ports) {
    printLine(`port ${p.name} (${p.kind}) wire ${p.wire} taps ${(p.taps as Array<{ name: string; vlan: number | null }>).map((t) => (t.vlan ? `${t.name}/vlan${t.vlan}` : t.name)).join(', ') || '-'}`);
    for (const c of (p.captures as CaptureInfo[] | undefined) ?? []) printLine(`  capturing ${c.side} to ${c.path}, ${c.frames} frames`);
    const k = p.kay as KayStatus | undefined;
    if (!k) continue;
    printLine(`  mode ${k.mode}, controlled port ${k.controlledPort}, ${k.secured ? 'SECURED' : 'not secured'}${k.notSecured ? `: ${k.notSecured.reason}` : ''}`);
    printLine(`  SCI ${p.sci}, cipher suite ${p.cipherSuite}, encoding AN ${p.encodingAn ?? '-'}`);
    const fp = p.fastPath as { active: boolean; reason?: string; txFrames?: number; rxFrames?: number; txToJs?: number; rxToJs?: number } | undefined;
    if (fp) {
      printLine(
        `  data path: crypto ${p.crypto}, fast path ${fp.active ? 'on' : `off (${fp.reason})`}` +
          (fp.txFrames !== undefined ? `; frames out ${fp.txFrames} fast / ${fp.txToJs} reference, in ${fp.rxFrames} fast / ${fp.rxToJs} reference` : ''),
      );
    }
    if (k.sak) printLine(`  SAK in use: KN ${k.sak.kn} AN ${k.sak.an} ${k.sak.cipherSuite}${k.sak.ssci !== undefined ? ` SSCI ${k.sak.ssci}` : ''} (tx ${k.sak.transmitting ? 'yes' : 'no'}, rx ${k.sak.receiving ? 'yes' : 'no'})`);
    printLine(`  key chain: ${k.keyChain.inUse ? `CKN ${k.keyChain.inUse.slice(0, 16)}…` : '-'} (${k.keyChain.reason})`);
    for (const part of k.participants) {
      printLine(`  participant CKN ${part.ckn.slice(0, 16)}…${part.principal ? ' (principal)' : ''} MI ${part.mi} MN ${part.mn}${part.keyServer ? `, key server ${part.keyServer.self ? 'self' : part.keyServer.sci}` : ''}`);
      for (const peer of part.livePeers) printLine(`    live peer ${peer.sci} MI ${peer.mi} MN ${peer.mn}`);
      for (const peer of part.potentialPeers) printLine(`    potential peer ${peer.sci} MI ${peer.mi} MN ${peer.mn}`);
    }
  }
  const vifs = (s.vifs as Array<{ name: string; port: string; vlan: number | null; addresses: string[]; bgp: Array<{ peerAddress: string; state: string }> }> | undefined) ?? [];
  for (const v of vifs) {
    const bgp = v.bgp.map((b) => `BGP ${b.peerAddress} ${b.state}`).join(', ');
    printLine(`vif ${v.name} on ${v.port}${v.vlan !== null ? ` vlan ${v.vlan}` : ' untagged'} ${v.addresses.join(' ') || '-'}${bgp ? `, ${bgp}` : ''}`);
  }
}

function printCounters(c: Record<string, unknown>): void {
  const ports = (c.ports as Array<Record<string, any>> | undefined) ?? [c];
  for (const p of ports) {
    printLine(`port ${p.name}`);
    if (p.secy) {
      const rows = Object.entries(p.secy.secy as Record<string, number>).map(([k, v]) => [k, String(v)]);
      rows.push(...Object.entries(p.secy.txSc as Record<string, number>).map(([k, v]) => [k, String(v)]));
      for (const sc of p.secy.rxScs as Array<Record<string, unknown>>) {
        for (const [k, v] of Object.entries(sc)) if (typeof v === 'number') rows.push([`${k} (rx SC ${BigInt(sc.sci as string).toString(16).padStart(16, '0')})`, String(v)]);
      }
      printLine('  SecY (802.1AE)');
      printLine(table(rows).replace(/^/gm, '    '));
      printLine('  MKA (OpenConfig names)');
      printLine(table(Object.entries(p.mka as Record<string, number>).map(([k, v]) => [k, String(v)])).replace(/^/gm, '    '));
    }
    printLine('  port (dxlab)');
    printLine(table(Object.entries(p.port as Record<string, number>).map(([k, v]) => [k, String(v)])).replace(/^/gm, '    '));
    printLine('  devices');
    const io = p.io as { wire: Record<string, unknown>; taps: Record<string, Record<string, unknown>> };
    const devRow = (name: string, s: Record<string, unknown>) => [name, `rx ${s.rxPackets} (dropped ${s.rxDropped})`, `tx ${s.txPackets} (dropped ${s.txDropped}, errors ${s.txErrors})`];
    printLine(table([devRow('wire', io.wire), ...Object.entries(io.taps).map(([n, s]) => devRow(n, s))]).replace(/^/gm, '    '));
  }
}

function eventLine(e: PortEvent): string {
  return `${e.time}  ${e.port}  ${e.type.padEnd(19)} ${e.reason}${e.kn !== undefined ? ` (KN ${e.kn}${e.an !== undefined ? ` AN ${e.an}` : ''})` : ''}`;
}

export function nodeCommand(y: Argv): Argv {
  return y
    .option('config', { type: 'string', describe: 'run the node described by this YAML or JSON file (src/node/config.schema.json)' })
    .option('crypto', { choices: CRYPTO_CHOICES, describe: "AES-GCM engine of the data plane: native (the fastest of the addon: ipsec-mb, else openssl), or one forced (default: native where the addon loads; overrides the config's crypto)" })
    .command(
      'status',
      "the node's ports: mode, controlled port, MKA peers and key server, SAK in use",
      socketOpt,
      portQuery('status', printStatus),
    )
    .command(
      'counters',
      'SecY (802.1AE) and MKA (OpenConfig) counters, the port\'s own and the devices\'',
      socketOpt,
      portQuery('counters', printCounters),
    )
    .command(
      'events',
      "the KaY's timeline: what it did and why",
      (c) => socketOpt(c).option('follow', { type: 'boolean', default: false, describe: 'keep printing new events until Ctrl-C' }),
      async (a) => {
        const print = (e: PortEvent) => (a.json ? process.stdout.write(JSON.stringify(e) + '\n') : printLine(eventLine(e)));
        let socket;
        try {
          const r = await controlRequest(a.socket, { cmd: 'events', port: a.port, follow: a.follow }, a.follow ? (e) => print(e as PortEvent) : undefined);
          socket = r.socket;
          const events = (r.result as { events: PortEvent[] }).events;
          if (a.json && !a.follow) printJson(events);
          else for (const e of events) print(e);
        } catch (e) {
          if (e instanceof NodeError) throw new CliError(e.code === 'device' || e.code === 'timeout' ? 'failed' : 'usage', e.message, { cause: e });
          throw e;
        }
        if (a.follow) {
          await new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            socket.once('close', () => resolve());
          });
          socket.destroy();
        }
      },
    )
    .command('key', 'add or remove a CKN/CAK pair of a port\'s key chain', (c) =>
      c
        .command(
          'add',
          'add a pair as the newest of the key chain (at most 3; a CKN already in the chain is refused): --ckn HEX with --cak-file FILE (or --cak HEX)',
          (d) =>
            socketOpt(d)
              .option('ckn', { type: 'string', demandOption: true, describe: 'CAK name, 1 to 32 octets of hex' })
              .option('cak', { type: 'string', describe: CAK_HELP })
              .option('cak-file', { type: 'string', describe: CAK_FILE_HELP, requiresArg: true }),
          async (a) => {
            const [pair] = cknCakPairs(a, { max: 1 });
            if (!pair) throw new CliError('usage', 'key add needs --cak-file FILE (or --cak HEX)');
            const r = await ask(a.socket, { cmd: 'addKey', port: a.port, ckn: pair.ckn, cak: pair.cak });
            if (a.json) printJson(r);
            else printLine(`key chain: ${(r as { keyChain: string[] }).keyChain.join(', ')}`);
          },
        )
        .command(
          'remove',
          'remove a pair from the key chain',
          (d) => socketOpt(d).option('ckn', { type: 'string', demandOption: true }),
          async (a) => {
            const r = await ask(a.socket, { cmd: 'removeKey', port: a.port, ckn: a.ckn });
            if (a.json) printJson(r);
            else printLine(`key chain: ${(r as { keyChain: string[] }).keyChain.join(', ') || 'empty (no key: MKA idle, the mode alone decides what passes)'}`);
          },
        )
        .demandCommand(1, 'key needs add or remove'),
    )
    .command('vif', "add, move or remove a VIF (a TAP with its VLAN, addresses and BGP) on a running node", (v) =>
      v
        .command(
          'add',
          "add a VIF on a port: --tap takes a taps[] entry of the node configuration as JSON ('-': read it from stdin, so that an md5Key stays out of ps)",
          (d) =>
            socketOpt(d)
              .demandOption('port')
              .option('tap', { type: 'string', demandOption: true, requiresArg: true, describe: 'the TAP as JSON (name, vlan, mtu, mac, alias, addresses, bgp), or - for stdin' }),
          async (a) => {
            const text = a.tap === '-' ? readFileSync(0, 'utf8') : a.tap;
            let tap: unknown;
            try {
              tap = JSON.parse(text);
            } catch {
              throw new CliError('usage', '--tap: not JSON (a taps[] entry of the node configuration)');
            }
            const r = (await ask(a.socket, { cmd: 'addVif', port: a.port, tap })) as { name: string };
            if (a.json) printJson(r);
            else printLine(`vif ${r.name} added on ${a.port}`);
          },
        )
        .command(
          'move',
          'move a VIF to another port (its TAP, MAC and addresses stay; its BGP restarts over the new port)',
          (d) =>
            socketOpt(d)
              .option('name', { type: 'string', demandOption: true, requiresArg: true, describe: 'the TAP' })
              .option('to', { type: 'string', demandOption: true, requiresArg: true, describe: 'the port it moves to' })
              .option('vlan', { type: 'number', requiresArg: true, describe: 'its VLAN on the new port (default: as before)' }),
          async (a) => {
            const r = (await ask(a.socket, { cmd: 'moveVif', name: a.name, to: a.to, ...(a.vlan !== undefined ? { vlan: a.vlan } : {}) })) as { name: string; port: string; vlan: number | null };
            if (a.json) printJson(r);
            else printLine(`vif ${r.name} now on ${r.port}${r.vlan !== null ? ` vlan ${r.vlan}` : ' untagged'}`);
          },
        )
        .command(
          'remove',
          'remove a VIF: its BGP stops, its TAP goes',
          (d) => socketOpt(d).option('name', { type: 'string', demandOption: true, requiresArg: true, describe: 'the TAP' }),
          async (a) => {
            const r = (await ask(a.socket, { cmd: 'removeVif', name: a.name })) as { name: string };
            if (a.json) printJson(r);
            else printLine(`vif ${r.name} removed`);
          },
        )
        .demandCommand(1, 'vif needs add, move or remove'),
    )
    .command(
      'mode <mode>',
      'set the encryption mode of a port',
      (c) => socketOpt(c).positional('mode', { choices: ['should_encrypt', 'must_encrypt', 'no_encrypt'] as const, demandOption: true }),
      async (a) => {
        const r = await ask(a.socket, { cmd: 'setMode', port: a.port, mode: a.mode });
        if (a.json) printJson(r);
        else printLine(`mode ${a.mode}`);
      },
    )
    .command(
      'bgp',
      "the node's BGP sessions: state (RFC 4271 names), uptime, prefixes, last error",
      (c) => socketOpt(c).option('tap', { type: 'string', describe: 'only the sessions of this TAP' }),
      async (a) => {
        const r = (await ask(a.socket, { cmd: 'bgp', ...(a.tap ? { tap: a.tap } : {}) })) as { peers: BgpPeerStatus[] };
        if (a.json) return printJson(r);
        if (!r.peers.length) throw new CliError('failed', `the node at ${a.socket} runs no BGP session`);
        const name = ((await ask(a.socket, { cmd: 'status' })) as { name: string }).name;
        printLine(renderBgp(name, r.peers));
      },
    )
    .command(
      'rekey',
      'ask the key server for a new SAK',
      socketOpt,
      async (a) => {
        const r = await ask(a.socket, { cmd: 'rekey', port: a.port });
        if (a.json) printJson(r);
        else printLine('rekey requested');
      },
    )
    .command(
      'capture',
      'capture one side of a port to pcapng, for --duration seconds or until Ctrl-C; --stop ends a running capture',
      (c) =>
        socketOpt(c)
          .option('side', { choices: ['wire', 'clear', 'decrypted'] as const, default: 'wire' as const })
          .option('out', { type: 'string', describe: 'pcapng file, relative to the current folder (default: NODE-PORT-SIDE.pcapng in captureDir)' })
          .option('duration', { type: 'number', describe: 'seconds; default: until Ctrl-C or SIGTERM' })
          .option('stop', { type: 'string', describe: 'stop the capture writing FILE, or with no FILE every capture of the port' })
          .check((x) => {
            if (x.stop !== undefined && (x.out !== undefined || x.duration !== undefined)) throw new CliError('usage', '--stop takes no --out or --duration');
            if (x.duration !== undefined && !(x.duration > 0)) throw new CliError('usage', `--duration must be a positive number of seconds, got ${x.duration}`);
            return true;
          }),
      async (a) => {
        const target = { node: a.socket, ...(a.port !== undefined ? { port: a.port } : {}) };
        const toNode: Ask = (req) => ask(a.socket, req);
        if (a.stop !== undefined) {
          const stopped = await stopCapture(toNode, target, a.stop || undefined);
          if (a.json) printJson({ stopped });
          else if (stopped.length === 0) note('no capture was running');
          else for (const c of stopped) printLine(c.path);
          return;
        }
        const out = a.out === undefined ? undefined : await outPath(a.out);
        const run = await runCapture(toNode, target, { side: a.side, out, durationS: a.duration }, (path) => {
          if (!a.json) note(`capturing to ${path}; ${a.duration === undefined ? 'Ctrl-C to stop' : `for ${a.duration} s (Ctrl-C stops earlier)`}`);
        });
        if (a.json) printJson({ path: run.path, side: run.side, frames: run.frames, ended: run.ended });
        else printLine(run.path);
      },
    )
    .check((a) => {
      const sub = a._.length > 1;
      if (!sub && !a.config) throw new CliError('usage', 'give --config FILE to run a node, or a subcommand: status, counters, events, bgp, key, mode, rekey, capture');
      return true;
    });
}

/** The handler of `dxlab node --config FILE`. */
export async function nodeRun(a: { config?: string; crypto?: string; _: Array<string | number> }): Promise<void> {
  if (a._.length > 1) return;
  await runNodeProcess(a.config!, a.crypto);
}
