/**
 * `dxlab attack NODE ACTION [options]`: an attacker node's actions (src/node/attacker.ts),
 * through its control socket's `attack` command; every action reports the
 * frames it touched.
 */
import type { Argv } from 'yargs';
import { CliError } from '../errors.js';
import { ask, labState, nameOpt, nodeOf } from '../lab-context.js';
import { printJson, printLine } from '../output.js';

const ACTIONS = ['snoop', 'drop', 'delay', 'reorder', 'replay', 'bitflip', 'inject-clear', 'inject-forged', 'strip', 'forge-mkpdu', 'stop', 'status'] as const;

interface AttackAnswer {
  action: string;
  touched: number;
  active?: boolean;
  note?: string;
  counts?: Record<string, number>;
  readableData?: number;
  frames?: Array<{ from: number; line: string }>;
  stopped?: Array<{ action: string; touched: number }>;
  [k: string]: unknown;
}

/** What the attack did, for people. */
export function renderAttack(node: string, a: AttackAnswer): string {
  if (a.action === 'snoop') {
    const c = a.counts ?? {};
    const lines = (a.frames ?? []).map((f) => `  ${f.line}`);
    lines.push(
      `${node} saw ${a.touched} frames: ${c.macsecEncrypted ?? 0} MACsec encrypted, ${c.macsecIntegrityOnly ?? 0} MACsec integrity-only, ${c.mkpdu ?? 0} MKPDUs, ${c.arp ?? 0} ARP, ${c.ipv4 ?? 0} IPv4, ${c.ipv6 ?? 0} IPv6, ${c.otherClear ?? 0} other in clear: ` +
        (a.readableData ? `${a.readableData} with readable data` : 'no readable data'),
    );
    return lines.join('\n');
  }
  if (a.action === 'stop') return `${node}: stopped ${(a.stopped ?? []).map((s) => `${s.action} (${s.touched} frames touched)`).join(', ') || 'nothing (no action ran)'}`;
  if (a.action === 'status') {
    const act = (a.running as Array<{ action: string; touched: number }> | undefined) ?? [];
    return `${node}: ${act.length ? act.map((x) => `${x.action} running, ${x.touched} frames touched`).join('; ') : 'no action running'}; ${a.captured} frames kept for replay and forgery`;
  }
  if (a.active) return `${node}: ${a.action} on; it runs until dxlab attack ${node} stop`;
  return `${node}: ${a.action}${a.kind ? ` (${a.kind})` : ''}: ${a.touched} frame${a.touched === 1 ? '' : 's'} sent${a.note ? ` (${a.note})` : ''}`;
}

export function attackCommand(y: Argv): Argv {
  return y.command(
    'attack <node> <action>',
    'an attacker node inside a link: snoop, drop, delay, reorder, replay, bitflip, inject-clear, inject-forged, strip, forge-mkpdu (stop ends those that stay on; status)',
    (c) =>
      nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('action', { choices: ACTIONS, demandOption: true }))
        .option('from', { type: 'string', describe: 'only frames from this neighbour (injections go to the other); default both ways' })
        .option('mkpdu', { type: 'boolean', describe: 'drop: MKPDUs only' })
        .option('percent', { type: 'number', describe: 'drop, bitflip (default 100), reorder (default 50): share of the frames' })
        .option('ms', { type: 'number', describe: 'delay: milliseconds added to each MACsec frame' })
        .option('count', { type: 'number', describe: 'replay: how many of the last MACsec frames (default 10)' })
        .option('where', { choices: ['sectag', 'payload', 'icv'] as const, describe: 'bitflip: which part of each MACsec frame (default payload)' })
        .option('type', { choices: ['arp', 'ipv4'] as const, describe: 'inject-clear: the frame sent in the clear (default ipv4)' })
        .option('kind', { choices: ['unknown-sci', 'wrong-an', 'stale-pn', 'wrong-icv', 'unknown-ckn', 'old-mn'] as const, describe: 'inject-forged: unknown-sci, wrong-an, stale-pn; forge-mkpdu: wrong-icv, unknown-ckn, old-mn' })
        .option('reset', { type: 'boolean', describe: 'snoop: count from zero again after this answer' })
        .option('last', { type: 'number', describe: 'snoop: how many of the last frames to list (default 20)' })
        .option('json', { type: 'boolean', default: false }),
    async (a) => {
      const s = labState(a);
      const n = nodeOf(s, String(a.node));
      if (n.kind !== 'attacker') throw new CliError('usage', `attack: node ${n.name} is a ${n.kind}; attackers of lab ${s.lab}: ${s.nodes.filter((x) => x.kind === 'attacker').map((x) => x.name).join(', ') || 'none'}`);
      const req: Record<string, unknown> = { cmd: 'attack', action: a.action };
      for (const k of ['from', 'mkpdu', 'percent', 'ms', 'count', 'where', 'type', 'kind', 'reset', 'last'] as const) if (a[k] !== undefined) req[k] = a[k];
      const r = (await ask(n.socket, req, n.name)) as AttackAnswer;
      if (a.json) return printJson(r);
      printLine(renderAttack(n.name, r));
    },
  );
}
