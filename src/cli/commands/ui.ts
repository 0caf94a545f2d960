/**
 * `dxlab ui [LAB] [--port N] [--host H]`: the web view of a running lab
 * (src/web/), served from this process until Ctrl-C; `dxlab up --ui` has
 * the lab's supervisor serve it instead. It prints the URL with its token:
 * anyone may view, only who holds the token may act.
 */
import type { Argv } from 'yargs';
import { labDir, readLabState, startLabService, type LabState } from '../../lab/index.js';
import { labWebService, startWebView, WEB_BASE_PORT, type ViaApi } from '../../web/index.js';
import { CliError } from '../errors.js';
import { labState, wrap } from '../lab-context.js';
import { note, printLine } from '../output.js';
import { setThroughApi } from '../set-through-api.js';

/** A DX device's mode goes through the lab's AWS API, as `dxlab set` sends it. */
export const viaApi: ViaApi = (state, node, port, req) => setThroughApi(state, node, port, req);

export function uiCommand(y: Argv): Argv {
  return y.command(
    'ui [lab]',
    'serve a live web view of a running lab (graph, MKA timeline, counters, actions) and print its URL with the token actions need',
    (c) =>
      c
        .positional('lab', { type: 'string', describe: 'lab name (default: the only running lab)' })
        .option('name', { type: 'string', describe: 'lab name (same as the positional)' })
        .option('port', { type: 'number', describe: `TCP port (default: the first free one from ${WEB_BASE_PORT})` })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (default loopback; any other serves plain HTTP to the network)' }),
    async (a) => {
      const s = labState({ ...(a.lab ?? a.name ? { name: String(a.lab ?? a.name) } : {}) });
      const lab = s.lab;
      const state = (): LabState => readLabState(lab) ?? s;
      if (a.port !== undefined && !(Number.isInteger(a.port) && a.port >= 0 && a.port <= 65535)) throw new CliError('usage', `--port must be a TCP port (0 to 65535), got ${a.port}`);
      const log = (line: string, fields?: Record<string, unknown>) => note(fields ? `${line} ${JSON.stringify(fields)}` : line);
      let view: { url: string; stop(): Promise<void> };
      try {
        view =
          a.port !== undefined
            ? await startWebView({ lab, host: a.host, port: a.port, state, viaApi, log })
            : (await startLabService(labWebService({ viaApi }), { lab, labDir: labDir(lab), host: a.host, state, log: (l) => note(l) })).running;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError('failed', `--port ${a.port}: in use on ${a.host}`);
        return wrap(e);
      }
      printLine(view.url);
      note(`web view of lab ${lab}: open the URL above; actions need its token; Ctrl-C stops`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await view.stop();
    },
  );
}
