/**
 * `dxlab ui [LAB] [--port N] [--host H]`: the web view of a running lab
 * (src/web/), served from this process until Ctrl-C; `dxlab up --ui` has
 * the lab's supervisor serve it instead. `dxlab ui --all`: the class
 * overview, every lab on the machine, each lab's page below it. It prints
 * the URL with its token: anyone may view, only who holds the token may act.
 * `--tls` (a self-signed certificate made now, its fingerprint printed) or
 * `--tls-cert FILE --tls-key FILE` serve HTTPS, over which a CAK may be
 * entered from another machine. `--scenarios DIR` offers one's own
 * scenarios on the page beside lab/'s.
 */
import type { Argv } from 'yargs';
import { existsSync, statSync } from 'node:fs';
import { SERVICE_PORT_TRIES, labDir, listLabs, readLabState, startLabService, type LabState } from '../../lab/index.js';
import { labWebService, selfSignedTls, startClassView, startWebView, tlsFromFiles, WEB_BASE_PORT, WebError, type RunningWebView, type ScenarioHost, type ViaApi, type WebTls } from '../../web/index.js';
import { pageScenarios } from '../page-scenarios.js';
import { apiConnections } from '../api-connections.js';
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
        .option('all', { type: 'boolean', default: false, describe: 'the class overview: every lab on this machine, each link\'s state, each lab\'s page below it' })
        .option('port', { type: 'number', describe: `TCP port (default: the first free one from ${WEB_BASE_PORT})` })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (default loopback; on any other, a CAK is taken only over TLS)' })
        .option('tls', { type: 'boolean', default: false, describe: 'serve HTTPS with a self-signed certificate made now by openssl (its SHA-256 fingerprint is printed)' })
        .option('tls-cert', { type: 'string', describe: 'serve HTTPS with this certificate (PEM; with --tls-key)' })
        .option('tls-key', { type: 'string', describe: 'the private key of --tls-cert (PEM)' })
        .option('scenarios', { type: 'string', array: true, describe: "a folder of one's own scenarios (a subfolder each, with scenario.yaml) the page offers beside lab/'s" }),
    async (a) => {
      if (a.port !== undefined && !(Number.isInteger(a.port) && a.port >= 0 && a.port <= 65535)) throw new CliError('usage', `--port must be a TCP port (0 to 65535), got ${a.port}`);
      const tls = tlsOption(a);
      const scenarios = pageScenarios(scenarioDirs(a.scenarios));
      if (a.all) {
        if (a.lab ?? a.name) throw new CliError('usage', '--all shows every lab: give no lab name with it');
        return serve(await classView(a.host, a.port, tls, scenarios), 'every lab on this machine');
      }
      const s = labState({ ...(a.lab ?? a.name ? { name: String(a.lab ?? a.name) } : {}) });
      const lab = s.lab;
      const state = (): LabState => readLabState(lab) ?? s;
      let view: { url: string; stop(): Promise<void> };
      try {
        view =
          a.port !== undefined
            ? await startWebView({ lab, host: a.host, port: a.port, state, viaApi, scenarios, connections: apiConnections, ...(tls ? { tls } : {}), log })
            : (await startLabService(labWebService({ viaApi, scenarios, connections: apiConnections, ...(tls ? { tls } : {}) }), { lab, labDir: labDir(lab), host: a.host, state, log: (l) => note(l) })).running;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError('failed', `--port ${a.port}: in use on ${a.host}`);
        return wrap(e);
      }
      await serve(view, `lab ${lab}`);
    },
  );
}

/**
 * The certificate to serve HTTPS with, if any; its fingerprint goes to stderr.
 * @throws CliError('usage') for --tls with --tls-cert, one of --tls-cert/--tls-key alone, or an unreadable or mismatched pair
 */
function tlsOption(a: { host: string; tls: boolean; 'tls-cert'?: string; 'tls-key'?: string }): WebTls | undefined {
  const [cert, key] = [a['tls-cert'], a['tls-key']];
  if (a.tls && (cert !== undefined || key !== undefined)) throw new CliError('usage', '--tls makes its own certificate: give either --tls or --tls-cert FILE --tls-key FILE');
  if ((cert === undefined) !== (key === undefined)) throw new CliError('usage', `${cert === undefined ? '--tls-key' : '--tls-cert'} needs ${cert === undefined ? '--tls-cert' : '--tls-key'}`);
  let tls: WebTls | undefined;
  try {
    tls = a.tls ? selfSignedTls(a.host) : cert !== undefined ? tlsFromFiles(cert, key!) : undefined;
  } catch (e) {
    if (e instanceof WebError) throw new CliError(e.code === 'badRequest' ? 'usage' : 'failed', e.message, { cause: e });
    throw e;
  }
  if (tls) note(`TLS certificate ${a.tls ? 'made now (self-signed)' : cert}: SHA-256 fingerprint ${tls.fingerprint}`);
  return tls;
}

/**
 * The folders of --scenarios, each an existing folder.
 * @throws CliError('usage') naming the one that is not
 */
function scenarioDirs(dirs: Array<string | number> | undefined): string[] {
  return (dirs ?? []).map(String).map((d) => {
    if (!existsSync(d) || !statSync(d).isDirectory()) throw new CliError('usage', `--scenarios ${d}: not a folder`);
    return d;
  });
}

const log = (line: string, fields?: Record<string, unknown>) => note(fields ? `${line} ${JSON.stringify(fields)}` : line);

/** Prints the URL and serves until SIGINT or SIGTERM. */
async function serve(view: { url: string; stop(): Promise<void> }, what: string): Promise<void> {
  printLine(view.url);
  note(`web view of ${what}: open the URL above; actions need its token; Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await view.stop();
}

/**
 * The overview on `port`, or on the first free port from WEB_BASE_PORT.
 * @throws CliError('failed') when the port (or every port tried) is taken
 */
async function classView(host: string, port: number | undefined, tls: WebTls | undefined, scenarios: ScenarioHost): Promise<RunningWebView> {
  const state = (lab: string) => {
    try {
      return readLabState(lab);
    } catch {
      // A lab being removed, or a garbled state file: not a row.
      return undefined;
    }
  };
  const ports = port !== undefined ? [port] : Array.from({ length: SERVICE_PORT_TRIES }, (_, i) => WEB_BASE_PORT + i);
  for (const p of ports) {
    try {
      return await startClassView({ host, port: p, labs: listLabs, state, viaApi, scenarios, connections: apiConnections, ...(tls ? { tls } : {}), log });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  throw new CliError('failed', port !== undefined ? `--port ${port}: in use on ${host}` : `no free port on ${host} from ${WEB_BASE_PORT} to ${WEB_BASE_PORT + SERVICE_PORT_TRIES - 1}`);
}
