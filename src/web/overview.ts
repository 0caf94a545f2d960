/**
 * The class overview (`dxlab ui --all`): every lab on the machine (one per
 * student, as `dxlab up --name student07` makes them) as a row with each
 * link's state, so that a trainer sees at a glance who is secured, who fell
 * back and who is down; each lab's own page is served below `/lab/NAME/`
 * by the same server, under the same token.
 *
 * Labs come and go while it runs: the list is read again at each poll, a
 * view made for a new lab, and the view of a lab that is gone stopped.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LabState } from '../lab/index.js';
import { WEB_POLL_MS } from './constants.js';
import { WebError } from './errors.js';
import { labView, listenWeb, serveAsset, type LabView, type RunningWebView, type ViaApi, type WebViewOptions } from './server.js';
import type { LinkState } from './view.js';

export interface ClassViewOptions {
  host: string;
  port: number;
  /** The labs on the machine now. */
  labs(): string[];
  /** A lab's state, undefined once it is gone. */
  state(lab: string): LabState | undefined;
  /** @default WEB_POLL_MS */
  pollMs?: number;
  /** @default 16 random octets, hex */
  token?: string;
  viaApi?: ViaApi;
  /** Serve HTTPS with this certificate (tls.ts). */
  tls?: WebViewOptions['tls'];
  scenarios?: WebViewOptions['scenarios'];
  connections?: WebViewOptions['connections'];
  log: WebViewOptions['log'];
}

/** One row of the overview. */
export interface ClassRow {
  lab: string;
  /** The lab's page, below this server. */
  path: string;
  links: Array<{ a: string; b: string; state: LinkState }>;
  /** Nodes that do not answer. */
  nodesDown: string[];
}

const PAGE_DIR = fileURLToPath(new URL('../../src/web/page/', import.meta.url));
const ASSETS: Record<string, { file: () => string; type: string }> = {
  '/': { file: () => join(PAGE_DIR, 'overview.html'), type: 'text/html; charset=utf-8' },
  '/assets/overview.js': { file: () => join(PAGE_DIR, 'overview.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/live.js': { file: () => join(PAGE_DIR, 'live.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: () => join(PAGE_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
};
/** A lab's name as `dxlab up --name` takes it (LAB_NAME_RE); anything else is no lab's. */
const LAB_PATH_RE = /^\/lab\/([a-z0-9][a-z0-9-]{0,23})(\/.*)?$/;

/**
 * Starts the overview; resolves once it listens.
 * @throws the listen's error (EADDRINUSE when the port is taken)
 */
export async function startClassView(o: ClassViewOptions): Promise<RunningWebView> {
  const token = o.token ?? randomBytes(16).toString('hex');
  const pollMs = o.pollMs ?? WEB_POLL_MS;
  const views = new Map<string, LabView>();
  const clients = new Set<ServerResponse>();
  let rows: ClassRow[] = [];

  const refresh = () => {
    const now = new Set(o.labs().filter((l) => o.state(l) !== undefined));
    for (const [lab, v] of views) {
      if (now.has(lab)) continue;
      v.stop();
      views.delete(lab);
    }
    for (const lab of now) {
      if (views.has(lab)) continue;
      const last = o.state(lab)!;
      views.set(lab, labView({ lab, token, pollMs, state: () => o.state(lab) ?? last, ...(o.viaApi ? { viaApi: o.viaApi } : {}), ...(o.scenarios ? { scenarios: o.scenarios } : {}), ...(o.connections ? { connections: o.connections } : {}), log: o.log }));
    }
    rows = [...views.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([lab, v]) => {
        const m = v.model();
        return { lab, path: `/lab/${lab}/`, links: (m?.links ?? []).map((l) => ({ a: l.a, b: l.b, state: l.state })), nodesDown: (m?.nodes ?? []).filter((n) => !n.running).map((n) => n.name) };
      });
    for (const c of clients) c.write(`event: overview\ndata: ${JSON.stringify({ rows })}\n\n`);
  };

  const route = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const lab = LAB_PATH_RE.exec(path);
    if (lab) {
      const v = views.get(lab[1]!);
      if (!v) throw new WebError('notFound', `no lab '${lab[1]}' on this machine`);
      if (lab[2] === undefined) {
        // The lab's page resolves its URLs against its own folder: /lab/NAME/.
        const q = new URL(req.url ?? '/', 'http://x').search;
        res.writeHead(301, { location: `/lab/${lab[1]}/${q}` });
        return void res.end();
      }
      return v.handle(req, res, lab[2]);
    }
    if (req.method === 'GET' && serveAsset(res, ASSETS[path])) return;
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`retry: 1000\n\nevent: overview\ndata: ${JSON.stringify({ rows })}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    throw new WebError('notFound', `nothing at ${req.method} ${path}`);
  };

  refresh();
  const web = await listenWeb(o.host, o.port, route, o.log, o.tls).catch((e: unknown) => {
    for (const v of views.values()) v.stop();
    throw e;
  });
  const timer = setInterval(refresh, pollMs);
  return {
    url: web.url(token),
    port: web.port,
    stop: async () => {
      clearInterval(timer);
      for (const v of views.values()) v.stop();
      for (const c of clients) c.end();
      await web.close();
    },
  };
}
