/**
 * The web view of one running lab (`dxlab ui`, `dxlab up --ui`): an HTTP
 * server (node:http) that serves the page and its libraries from
 * node_modules (nothing from a CDN: it works offline), pushes the lab to the
 * page by server-sent events, and carries out the trainer's actions.
 *
 * - Live: nodes have no push channel for counters, so the server asks each
 *   node for `status` and `counters` every WEB_POLL_MS and pushes one
 *   `model` message per poll; the KaYs' events come from an `events`
 *   subscription per node (`follow`) and go out as they happen (`mka`). A
 *   page that connects gets the kept history first (`hello`). The page
 *   itself never polls.
 * - Access, as Jupyter's: the server binds loopback unless told otherwise,
 *   and prints its URL with a random token. Viewing needs no token; every
 *   action (a POST) and a capture's download need it (403 without).
 * - Keys: everything sent is built by view.ts from named fields; a CAK or a
 *   SAK never reaches the page. A CAK may come from the page (`addKey`),
 *   only over loopback or TLS (`tls`), once; the answer carries the key
 *   chain's CKNs only. Over plain HTTP from another machine the page is told
 *   why its CAK field is off (`hello`'s `cak`), and `addKey` gets 403.
 * - A request whose `Host` header names another server is refused
 *   (DNS-rebinding protection, host-check.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { networkInterfaces } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { LabError, checkKindSet, readLabTopology, type LabState, type Topology } from '../lab/index.js';
import { NodeError, controlRequest } from '../node/index.js';
import { WEB_EVENTS_KEPT, WEB_HISTORY_SAMPLES, WEB_POLL_MS, WEB_TOKEN_HEADER } from './constants.js';
import { WebError } from './errors.js';
import { allowedHosts, hostAllowed } from './host-check.js';
import { PageScenario, type ScenarioHost } from './page-scenario.js';
import type { WebTls } from './tls.js';
import { connectionView, counterSample, eventView, lagViews, linkView, nodeView, type ConnectionView, type CounterSample, type EventView, type LagView, type LinkView, type NodeView, type PortView } from './view.js';

/** A change the lab's AWS API makes for a DX device (its mode and keys belong to the API, as `dxlab set` does it). */
export type ViaApi = (state: LabState, node: string, port: string, req: { what: 'mode'; mode: string } | { what: 'keyAdd'; ckn: string; cak: string } | { what: 'keyRemove'; ckn: string }) => Promise<unknown>;

export interface WebViewOptions {
  lab: string;
  /** '127.0.0.1' unless the user said otherwise. */
  host: string;
  port: number;
  /** The lab's state, re-read at each poll (nodes restart, captures change). */
  state(): LabState;
  /** @default WEB_POLL_MS */
  pollMs?: number;
  /** @default 16 random octets, hex */
  token?: string;
  /** DX devices' mode through the lab's AWS API; without it, the node is asked directly. */
  viaApi?: ViaApi;
  /** Serve HTTPS with this certificate (tls.ts); a CAK may then come from any address. */
  tls?: WebTls;
  /** The scenarios the page may run on the lab, step by step (page-scenario.ts); without it, none. */
  scenarios?: ScenarioHost;
  /**
   * The connections of the lab's AWS API (DescribeConnections' `connections`),
   * or null when the lab hosts no API; asked at each poll. Without it, none shown.
   */
  connections?: (state: LabState) => Promise<unknown[] | null>;
  log(line: string, fields?: Record<string, unknown>): void;
}

export interface RunningWebView {
  /** With the token: the URL to open. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** A capture started from the page. */
interface PageCapture {
  id: string;
  node: string;
  port: string;
  side: string;
  path: string;
  running: boolean;
  frames: number;
}

/** The model one poll pushes. */
export interface WebModel {
  lab: string;
  time: string;
  nodes: NodeView[];
  links: LinkView[];
  lags: LagView[];
  /** The AWS API's connections, null when the lab hosts no API (or it does not answer). */
  connections: ConnectionView[] | null;
  captures: Array<Omit<PageCapture, 'path'> & { file: string }>;
  samples: Array<CounterSample & { t: number }>;
}

const PAGE_DIR = fileURLToPath(new URL('../../src/web/page/', import.meta.url));
const resolveModule = createRequire(import.meta.url).resolve;
/** What the page loads: its own files and the two libraries, by URL path. */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  '/': { file: () => join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: () => join(PAGE_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/live.js': { file: () => join(PAGE_DIR, 'live.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: () => join(PAGE_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
  '/assets/cytoscape.min.js': { file: () => resolveModule('cytoscape/dist/cytoscape.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uPlot.iife.min.js': { file: () => resolveModule('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uPlot.min.css': { file: () => resolveModule('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const MAX_BODY = 64 * 1024;
const PORT_NAME_RE = /^[A-Za-z0-9_.-]{1,32}$/;
const MODES = ['should_encrypt', 'must_encrypt', 'no_encrypt'];
const SIDES = ['wire', 'clear', 'decrypted'];

/** Whether a peer address is this machine's loopback (IPv4, IPv6, or IPv4 mapped into IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, '');
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * Whether a CAK may come over this request's connection: from this machine
 * (loopback), or over TLS; and if not, why, in words the page shows.
 */
export function cakChannel(req: IncomingMessage): { allowed: boolean; why: string } {
  if ((req.socket as TLSSocket).encrypted === true) return { allowed: true, why: 'over TLS' };
  if (isLoopbackAddress(req.socket.remoteAddress)) return { allowed: true, why: 'from this machine (loopback)' };
  return { allowed: false, why: 'a CAK is entered only from this machine (loopback) or over TLS (dxlab ui --tls): this page came over plain HTTP from another machine, so a CAK would travel in the clear' };
}

/**
 * A hex field of `octets` octets (one of them), lower case.
 * @throws WebError('badRequest') naming the field, never repeating its value (it may be a CAK).
 */
function hexArg(v: unknown, field: string, octets: readonly number[]): string {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]*$/.test(v) || v.length % 2 !== 0 || !octets.includes(v.length / 2)) {
    const lengths = octets.length > 2 ? `${octets[0]} to ${octets.at(-1)}` : octets.join(' or ');
    throw new WebError('badRequest', `'${field}' must be ${lengths} octets of hex`);
  }
  return v.toLowerCase();
}
/** 802.1X-2020 9.3.1: a CKN of 1 to 32 octets, a CAK of 16 or 32. */
const CKN_OCTETS = Array.from({ length: 32 }, (_, i) => i + 1);
const CAK_OCTETS = [16, 32];

const eventKey = (e: EventView) => `${e.node}|${e.port}|${e.time}|${e.type}|${e.reason}`;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** One lab's view without its listener: `dxlab ui` serves one at `/`, `dxlab ui --all` one per lab at `/lab/NAME/`. */
export interface LabView {
  /** Answers a request whose path, below the view's own prefix, is `path`. @throws WebError */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** The last poll's model. */
  model(): WebModel | undefined;
  stop(): void;
}

/**
 * A lab's view: polls its nodes from now on, answers the page's requests.
 * The page's URLs are relative, so that the view may sit below a prefix.
 */
export function labView(o: Omit<WebViewOptions, 'host' | 'port' | 'token'> & { token: string }): LabView {
  const token = o.token;
  const pollMs = o.pollMs ?? WEB_POLL_MS;
  const clients = new Set<ServerResponse>();
  const history = new Map<string, Array<CounterSample & { t: number }>>();
  const events: EventView[] = [];
  const seen = new Set<string>();
  const subs = new Map<string, Socket>();
  const subscribing = new Set<string>();
  const captures = new Map<string, PageCapture>();
  let model: WebModel | undefined;
  const scenario = o.scenarios ? new PageScenario(o.scenarios, o.lab, o.state, (v) => broadcast('scenario', v), o.log) : undefined;
  const scenarioList = () => {
    try {
      return scenario?.list() ?? [];
    } catch (e) {
      o.log('web view: scenarios not listed', { error: (e as Error).message });
      return [];
    }
  };
  let polling = false;
  let stopped = false;
  // The topology the lab was built from (its LAGs): written once by `up`, read once it is there.
  let topology: Topology | undefined;
  const labTopology = () => {
    try {
      return (topology ??= readLabTopology(o.lab));
    } catch {
      return undefined;
    }
  };

  const send = (res: ServerResponse, type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  const broadcast = (type: string, data: unknown) => {
    for (const c of clients) send(c, type, data);
  };

  const addEvent = (node: string, raw: unknown) => {
    const e = eventView(node, raw);
    // A subscription made again (the node's connection dropped) lists the events already seen.
    if (seen.has(eventKey(e))) return;
    seen.add(eventKey(e));
    events.push(e);
    if (events.length > WEB_EVENTS_KEPT) seen.delete(eventKey(events.shift()!));
    broadcast('mka', e);
  };

  /** One `events` subscription per node; made again when the node went away (restart) and answers again. */
  const subscribe = async (n: { name: string; socket: string }) => {
    // One at a time per node: a node slow to answer must not be subscribed twice by the next poll.
    if (subs.has(n.name) || subscribing.has(n.name)) return;
    subscribing.add(n.name);
    try {
      const r = await controlRequest(n.socket, { cmd: 'events', follow: true }, (e) => addEvent(n.name, e), { timeoutMs: 2 * pollMs, node: n.name });
      if (stopped) return r.socket.destroy();
      subs.set(n.name, r.socket);
      r.socket.once('close', () => subs.get(n.name) === r.socket && subs.delete(n.name));
      for (const e of (r.result as { events?: unknown[] }).events ?? []) addEvent(n.name, e);
    } catch {
      /* not answering now: the next poll tries again */
    } finally {
      subscribing.delete(n.name);
    }
  };

  const poll = async () => {
    if (polling || stopped) return;
    polling = true;
    try {
      const state = o.state();
      const t = Date.now();
      const asked = o.connections ? o.connections(state).catch(() => null) : Promise.resolve(null);
      const answers = await Promise.all(
        state.nodes.map(async (n) => {
          if (n.killedAt) return { n, status: new Error(`killed by dxlab kill at ${n.killedAt}`) as unknown, counters: undefined };
          const ask = (cmd: string) => controlRequest(n.socket, { cmd }, undefined, { timeoutMs: 2 * pollMs, node: n.name }).then((r) => r.result, (e: Error) => e);
          const [status, counters] = await Promise.all([ask('status'), ask('counters')]);
          if (!(status instanceof Error)) void subscribe(n);
          return { n, status, counters };
        }),
      );
      const nodes = answers.map(({ n, status }) => nodeView(n, status, (tap) => n.taps.find((x) => x.name === tap)?.vif));
      const portOf = (end: string): PortView | undefined => {
        const [node, port] = end.split(':');
        return nodes.find((x) => x.name === node)?.ports.find((p) => p.name === port);
      };
      const running = (end: string) => nodes.find((x) => x.name === end.split(':')[0])?.running === true;
      const links = state.links.map((l) => linkView(l, portOf, running));
      const samples = answers.flatMap(({ n, counters }) =>
        counters instanceof Error || counters === undefined ? [] : ((counters as { ports?: unknown[] }).ports ?? []).map((p) => ({ ...counterSample(n.name, p), t })),
      );
      for (const s of samples) {
        const key = `${s.node}:${s.port}`;
        const h = history.get(key) ?? [];
        h.push(s);
        if (h.length > WEB_HISTORY_SAMPLES) h.shift();
        history.set(key, h);
      }
      // A capture that ended in the node (its duration, `dxlab capture --stop`) is shown ended.
      for (const c of captures.values()) {
        if (!c.running) continue;
        const port = nodes.find((x) => x.name === c.node)?.ports.find((p) => p.name === c.port);
        const live = port?.captures.find((x) => x.path === c.path);
        if (live) c.frames = live.frames;
        else if (port) c.running = false;
      }
      const api = await asked;
      model = { lab: o.lab, time: new Date(t).toISOString(), nodes, links, lags: lagViews(labTopology(), links), connections: api ? api.map(connectionView) : null, captures: pageCaptures(), samples };
      broadcast('model', model);
    } catch (e) {
      o.log('web view: poll failed', { error: (e as Error).message });
    } finally {
      polling = false;
    }
  };

  const pageCaptures = () => [...captures.values()].map(({ path, ...c }) => ({ ...c, file: basename(path) }));

  const checkToken = (given: string | undefined) => {
    const a = Buffer.from(String(given ?? ''));
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new WebError('forbidden', `this action needs the token printed when the web view started (header ${WEB_TOKEN_HEADER}, or the page opened with ?token=)`);
  };

  const nodeOfState = (state: LabState, name: unknown) => {
    if (typeof name !== 'string') throw new WebError('badRequest', `'node' must be a node name`);
    const n = state.nodes.find((x) => x.name === name);
    if (!n) throw new WebError('notFound', `no node '${name}' in lab ${o.lab}`);
    return n;
  };
  const portArg = (v: unknown) => {
    if (typeof v !== 'string' || !PORT_NAME_RE.test(v)) throw new WebError('badRequest', `'port' must be a port name`);
    return v;
  };
  const askNode = async (n: { name: string; socket: string }, req: Record<string, unknown>) => {
    try {
      return (await controlRequest(n.socket, req, undefined, { node: n.name })).result;
    } catch (e) {
      const remote = (e as { remoteCode?: string }).remoteCode;
      throw new WebError(e instanceof NodeError && remote && remote !== 'internal' ? 'badRequest' : 'failed', `node ${n.name}: ${(e as Error).message}`, { cause: e });
    }
  };

  const act = async (body: Record<string, unknown>, channel: { allowed: boolean; why: string }): Promise<unknown> => {
    if (typeof body.action === 'string' && body.action.startsWith('scenario')) {
      if (!scenario) throw new WebError('notFound', 'this web view runs no scenario');
      if (body.action === 'scenarioStart') return scenario.start(body.scenario);
      if (body.action === 'scenarioNext') return scenario.next();
      if (body.action === 'scenarioStop') return scenario.stop();
    }
    const state = o.state();
    const n = nodeOfState(state, body.node);
    switch (body.action) {
      case 'setMode': {
        const port = portArg(body.port);
        if (typeof body.mode !== 'string' || !MODES.includes(body.mode)) throw new WebError('badRequest', `'mode' must be one of ${MODES.join(', ')}`);
        o.log('web view: mode set', { node: n.name, port, mode: body.mode });
        if (n.kind === 'dx-device' && o.viaApi) {
          try {
            return await o.viaApi(state, n.name, port, { what: 'mode', mode: body.mode });
          } catch (e) {
            throw new WebError('failed', (e as Error).message, { cause: e });
          }
        }
        return askNode(n, { cmd: 'setMode', port, mode: body.mode });
      }
      case 'rekey': {
        const port = portArg(body.port);
        o.log('web view: rekey', { node: n.name, port });
        return askNode(n, { cmd: 'rekey', port });
      }
      case 'captureStart': {
        const port = portArg(body.port);
        const side = body.side ?? 'wire';
        if (typeof side !== 'string' || !SIDES.includes(side)) throw new WebError('badRequest', `'side' must be one of ${SIDES.join(', ')}`);
        const id = randomBytes(4).toString('hex');
        const path = join(state.captureDir, `ui-${n.name}-${port}-${side}-${id}.pcapng`);
        const r = (await askNode(n, { cmd: 'capture', port, side, path })) as { path: string };
        const c: PageCapture = { id, node: n.name, port, side, path: r.path, running: true, frames: 0 };
        captures.set(id, c);
        o.log('web view: capture started', { node: n.name, port, side, path: r.path });
        return { id, file: basename(r.path) };
      }
      case 'captureStop': {
        const c = typeof body.id === 'string' ? captures.get(body.id) : undefined;
        if (!c || c.node !== n.name) throw new WebError('notFound', `no capture '${String(body.id)}' started from this page on node ${n.name}`);
        const r = (await askNode(n, { cmd: 'capture', port: c.port, stop: c.path })) as { captures?: Array<{ frames: number }> };
        c.running = false;
        c.frames = r.captures?.[0]?.frames ?? c.frames;
        o.log('web view: capture stopped', { node: n.name, port: c.port, frames: c.frames });
        return { id: c.id, file: basename(c.path), frames: c.frames };
      }
      case 'addKey':
      case 'removeKey': {
        const port = portArg(body.port);
        const ckn = hexArg(body.ckn, 'ckn', CKN_OCTETS);
        // A CAK crosses the network only over loopback or TLS: refused before it is even read (issue 22).
        if (body.action === 'addKey' && !channel.allowed) throw new WebError('forbidden', channel.why);
        const cak = body.action === 'addKey' ? hexArg(body.cak, 'cak', CAK_OCTETS) : undefined;
        if (cak !== undefined) {
          try {
            checkKindSet(o.lab, n.name, { key: { ckn, cak } });
          } catch (e) {
            if (e instanceof LabError) throw new WebError('badRequest', e.message, { cause: e });
            throw e;
          }
        }
        o.log(cak !== undefined ? 'web view: key added' : 'web view: key removed', { node: n.name, port, ckn });
        let r: unknown;
        if (n.kind === 'dx-device' && o.viaApi) {
          try {
            r = await o.viaApi(state, n.name, port, cak !== undefined ? { what: 'keyAdd', ckn, cak } : { what: 'keyRemove', ckn });
          } catch (e) {
            throw new WebError('failed', (e as Error).message, { cause: e });
          }
        } else r = await askNode(n, cak !== undefined ? { cmd: 'addKey', port, ckn, cak } : { cmd: 'removeKey', port, ckn });
        // Only the CKNs of the key chain go back (the answer is the page's; the CAK was sent once).
        const chain = (r as { keyChain?: unknown }).keyChain;
        return { keyChain: Array.isArray(chain) ? chain.filter((k): k is string => typeof k === 'string' && /^[0-9a-f]+$/i.test(k)) : [] };
      }
      default:
        throw new WebError('badRequest', `'action' must be setMode, rekey, addKey, removeKey, captureStart, captureStop, scenarioStart, scenarioNext or scenarioStop`);
    }
  };


  const readBody = (req: IncomingMessage): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      let size = 0;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => {
        size += c.length;
        // Refused at once; the rest is read and dropped, so that the answer reaches the client.
        if (size > MAX_BODY) reject(new WebError('badRequest', `request body longer than ${MAX_BODY} octets`));
        else chunks.push(c);
      });
      req.on('end', () => {
        if (size > MAX_BODY) return;
        try {
          const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
          resolve(v as Record<string, unknown>);
        } catch {
          reject(new WebError('badRequest', 'the body must be one JSON object'));
        }
      });
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && serveAsset(res, ASSETS[path])) return;
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 1000\n\n');
      send(res, 'hello', { lab: o.lab, pollMs, cak: cakChannel(req), scenarios: scenarioList(), scenario: scenario?.view() ?? null, history: Object.fromEntries(history), events });
      if (model) send(res, 'model', model);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    const download = /^\/captures\/([0-9a-f]{8})$/.exec(path);
    if (req.method === 'GET' && download) {
      checkToken(url.searchParams.get('token') ?? (req.headers[WEB_TOKEN_HEADER] as string | undefined));
      const c = captures.get(download[1]!);
      if (!c) throw new WebError('notFound', `no capture '${download[1]}' started from this page`);
      const size = statSync(c.path).size;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size, 'content-disposition': `attachment; filename="${basename(c.path)}"` });
      createReadStream(c.path).pipe(res);
      return;
    }
    if (path === '/api/action') {
      if (req.method !== 'POST') throw new WebError('badRequest', 'actions are POSTed');
      checkToken(req.headers[WEB_TOKEN_HEADER] as string | undefined);
      const result = await act(await readBody(req), cakChannel(req));
      answerJson(res, 200, { ok: true, result });
      void poll();
      return;
    }
    throw new WebError('notFound', `nothing at ${req.method} ${path}`);
  };

  const timer = setInterval(() => void poll(), pollMs);
  void poll();
  return {
    handle,
    model: () => model,
    stop: () => {
      stopped = true;
      clearInterval(timer);
      for (const s of subs.values()) s.destroy();
      for (const c of clients) c.end();
      clients.clear();
    },
  };
}

/** Answers with a file of the page, or says there is none. */
export function serveAsset(res: ServerResponse, asset: { file: () => string; type: string } | undefined): boolean {
  if (!asset) return false;
  res.writeHead(200, {
    'content-type': asset.type,
    'cache-control': 'no-cache',
    // Everything from this server; no inline script (the token stays out of reach of injected markup).
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
    'x-content-type-options': 'nosniff',
  });
  res.end(readFileSync(asset.file()));
  return true;
}

export function answerJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** A refusal as its JSON error (a WebError's status), anything else as 500 and logged. */
export function answerError(res: ServerResponse, e: unknown, log: WebViewOptions['log']): void {
  if (res.headersSent) return void res.end();
  if (e instanceof WebError) return answerJson(res, e.status, { ok: false, error: { code: e.code, message: e.message } });
  log('web view: request failed', { error: (e as Error).message });
  answerJson(res, 500, { ok: false, error: { code: 'internal', message: (e as Error).message } });
}

/** This machine's addresses, for the Host check of a server bound to every address. */
const machineAddresses = () => Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address.replace(/%.*$/, '')));

/**
 * Listens on host:port (HTTPS with `tls`) with `route` answering every
 * request whose Host names this server; the favicon gets no content.
 * @throws the listen's error (EADDRINUSE when the port is taken)
 */
export async function listenWeb(host: string, port: number, route: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>, log: WebViewOptions['log'], tls?: WebTls): Promise<{ server: Server; port: number; url: (token: string) => string; close(): Promise<void> }> {
  const allowed = allowedHosts(host, machineAddresses());
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req.headers.host, allowed)) {
      log('web view: request for another host refused', { host: String(req.headers.host ?? '').slice(0, 100) });
      return answerError(res, new WebError('forbidden', `Host '${String(req.headers.host ?? '').slice(0, 100)}' is not this server's (DNS rebinding protection): open the page at ${host}, localhost or 127.0.0.1`), log);
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/favicon.ico') {
      res.writeHead(204);
      return void res.end();
    }
    void route(req, res, path).catch((e) => answerError(res, e, log));
  };
  const server: Server = tls ? (createTlsServer({ cert: tls.cert, key: tls.key }, answer) as unknown as Server) : createServer(answer);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  if (!isLoopback(host) && !tls) log('web view: listening beyond loopback over plain HTTP; a CAK is taken only from this machine', { host });
  return {
    server,
    port: bound,
    url: (token) => `${tls ? 'https' : 'http'}://${shown}:${bound}/?token=${token}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Starts the web view of one lab; resolves once it listens.
 * @throws the listen's error (EADDRINUSE when the port is taken)
 */
export async function startWebView(o: WebViewOptions): Promise<RunningWebView> {
  const token = o.token ?? randomBytes(16).toString('hex');
  const view = labView({ ...o, token });
  let web: Awaited<ReturnType<typeof listenWeb>>;
  try {
    web = await listenWeb(o.host, o.port, (req, res, path) => view.handle(req, res, path), o.log, o.tls);
  } catch (e) {
    view.stop();
    throw e;
  }
  return {
    url: web.url(token),
    port: web.port,
    stop: async () => {
      view.stop();
      await web.close();
    },
  };
}
