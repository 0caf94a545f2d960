/** `dxlab events NODE [PORT] [--follow]`: the KaYs' timeline on a node, with its LAGs' LACP events (lacp:*). */
import type { Argv } from 'yargs';
import { controlRequest } from '../../node/index.js';
import { labState, nameOpt, nodeOf, wrap } from '../lab-context.js';
import { printJson, printLine } from '../output.js';

export function eventsCommand(y: Argv): Argv {
  return y.command(
    'events <node> [port]',
    "the KaY's timeline on a node (with LACP's, lacp:*, where it has a LAG)",
    (c) => nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('port', { type: 'string' })).option('follow', { type: 'boolean', default: false, describe: 'keep printing new events until Ctrl-C (with --json: one JSON object per line)' }).option('json', { type: 'boolean', default: false }),
    async (a) => {
      const n = nodeOf(labState(a), String(a.node));
      const line = (e: Record<string, any>) => (a.json ? JSON.stringify(e) : `${e.time}  ${e.port}  ${String(e.type).padEnd(19)} ${e.reason}`);
      const r = await controlRequest(n.socket, { cmd: 'events', ...(a.port ? { port: a.port } : {}), follow: a.follow }, a.follow ? (e) => printLine(line(e as Record<string, any>)) : undefined).catch(wrap);
      const events = (r.result as { events: Array<Record<string, any>> }).events;
      // --json: one document; with --follow, one JSON object per line (a stream has no end to close a document).
      if (a.json && !a.follow) printJson(events);
      else for (const e of events) printLine(line(e));
      if (a.follow) await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        r.socket.once('close', () => resolve());
      });
      r.socket.destroy();
    },
  );
}
