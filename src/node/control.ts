/**
 * The node's control socket: a Unix socket, one JSON object per line each
 * way. A request is `{"id", "cmd", ...}` with cmd one of status, counters,
 * events, addKey, removeKey, setMode, set (one MACsec knob, knobs.ts), rekey,
 * staticSas (a port's `macsec.staticSas`, or null: back to MKA; static-sas.ts),
 * capture, lag (the LAGs' LACP state), bgp, addVif, removeVif, moveVif, provider (a provider's knob), attack (an attacker's action); the answer is
 * `{"id", "ok": true, "result"}` or `{"id", "ok": false, "error": {"code",
 * "message"}}`. `events` with `"follow": true` is a subscription: after the
 * answer, each new event arrives as `{"id", "event"}` until the client
 * closes. `capture` answers once its file exists (`path` must be absolute:
 * the node's working directory is not the client's), and `"stop": PATH` or
 * `"stop": true` (every capture of the port) once the files are complete.
 * `addVif` (`"port"`, `"tap"`: a port's taps[] entry of the node
 * configuration), `removeVif` (`"name"`) and `moveVif` (`"name"`, `"to"`,
 * `"vlan"`?) change the node's VIFs live (node.ts). `addKey`, `removeKey` and
 * `setMode` with `"lag"` instead of `"port"` change every member of that LAG
 * at once; `setMinimumLinks` (`"lag"`, `"minimumLinks"`) and `lagMember`
 * (`"lag"`, `"port"`, `"member"`: true or false) change the LAG itself
 * (lag-commands.ts). Answers never carry key material.
 */
import { isAbsolute } from 'node:path';
import { fromHex } from '../shared/bytes.js';
import { Secret } from '../shared/secret.js';
import { prepareParentDir } from './capture-path.js';
import { NodeError } from './errors.js';
import type { Logger } from './logger.js';
import type { LabNode } from './node.js';
import { MacsecPort } from './macsec-port.js';
import { resolveMacsecKnob, resolveStaticSasRequest } from './config.js';
import type { MacsecKnob } from './knobs.js';
import { BuiltinSpeaker } from './bgp/index.js';
import { inPathRequest } from './in-path-request.js';
import { lagAddKey, lagRemoveKey, lagSetMember, lagSetMinimumLinks, lagSetMode } from './lag-commands.js';
import { JsonLineServer, type JsonLineConnection, type JsonRequest } from './json-line-server.js';


function replacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

type Request = JsonRequest;

function str(req: Request, field: string, required = true): string | undefined {
  const v = req[field];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw new NodeError('badRequest', `'${field}' must be a non-empty string`);
  return v;
}

/**
 * A hex field of exactly one of the lengths given (in octets).
 * @throws NodeError('badRequest') naming the field; never echoes its value.
 */
function hexField(req: Request, field: string, lengths: readonly number[]): Uint8Array {
  const v = str(req, field)!;
  let b: Uint8Array;
  try {
    b = fromHex(v, field);
  } catch (e) {
    throw new NodeError('badRequest', (e as Error).message);
  }
  if (!lengths.includes(b.length)) {
    b.fill(0);
    throw new NodeError('badRequest', `'${field}' must be ${lengthsText(lengths)} octets, got ${b.length}`);
  }
  return b;
}

function lengthsText(lengths: readonly number[]): string {
  const consecutive = lengths.length > 2 && lengths.every((n, i) => i === 0 || n === lengths[i - 1]! + 1);
  return consecutive ? `${lengths[0]} to ${lengths[lengths.length - 1]}` : lengths.join(' or ');
}

/** A hex key field wrapped at once in a {@link Secret}; the parsed octets are zeroed. */
function secretField(req: Request, field: string, lengths: readonly number[], kind: string): Secret {
  const b = hexField(req, field, lengths);
  const s = new Secret(b, kind);
  b.fill(0);
  return s;
}

/** A CKN is 1 to 32 octets (802.1X-2020 9.3.1; the Basic Parameter Set carries at most 32, 11.11). */
const CKN_LENGTHS = Array.from({ length: 32 }, (_, i) => i + 1);
/** A CAK is 16 or 32 octets, nothing between: the key of AES-CMAC-128 or AES-CMAC-256 (802.1X-2020 9.3.1, 6.2). */
const CAK_LENGTHS = [16, 32];

export class ControlServer {
  private readonly server: JsonLineServer;

  constructor(
    readonly path: string,
    private readonly node: LabNode,
    private readonly log: Logger,
  ) {
    this.server = new JsonLineServer(path, {
      handle: (req, conn) => this.execute(req, conn),
      codeOf: (e) => (e instanceof NodeError ? e.code : undefined),
      log,
      replacer,
    });
  }

  async listen(): Promise<void> {
    await prepareParentDir(this.path, 'controlSocket');
    await this.server.listen();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private execute(req: Request, conn: JsonLineConnection): unknown {
    const n = this.node;
    const port = str(req, 'port', false);
    switch (req.cmd) {
      case 'status':
        return port ? n.port(port).status() : n.status();
      case 'counters': {
        const all = n.counters() as { ports: Array<{ name: string }> };
        if (!port) return all;
        n.port(port);
        return all.ports.find((p) => p.name === port);
      }
      case 'events': {
        const ports = port ? [n.port(port)] : n.ports;
        // LACP's events (of the LAGs over these ports) on the same timeline as the KaYs'.
        const lagEvents = n.lags.flatMap((l) => l.events).filter((e) => !port || e.port === port || e.lag === port);
        const events = [...ports.flatMap((p) => (p instanceof MacsecPort ? p.events : [])), ...lagEvents].sort((a, b) => a.time.localeCompare(b.time));
        if (req.follow === true) conn.onClose(n.subscribe((e) => (!port || e.port === port || ('lag' in e && e.lag === port)) && conn.push(e)));
        return { events };
      }
      case 'addKey': {
        const lag = str(req, 'lag', false);
        if (lag !== undefined) {
          const r = lagAddKey(n.lag(lag), hexField(req, 'ckn', CKN_LENGTHS), secretField(req, 'cak', CAK_LENGTHS, 'CAK'));
          this.log.info('key added', { lag, ckn: req.ckn });
          return r;
        }
        const p = n.macsecPort(port);
        p.addKey(hexField(req, 'ckn', CKN_LENGTHS), secretField(req, 'cak', CAK_LENGTHS, 'CAK'));
        this.log.info('key added', { port: p.name, ckn: req.ckn });
        return { keyChain: p.keyChainCkns() };
      }
      case 'removeKey': {
        const lag = str(req, 'lag', false);
        if (lag !== undefined) {
          const r = lagRemoveKey(n.lag(lag), hexField(req, 'ckn', CKN_LENGTHS));
          this.log.info('key removed', { lag, ckn: req.ckn });
          return r;
        }
        const p = n.macsecPort(port);
        p.removeKey(hexField(req, 'ckn', CKN_LENGTHS));
        this.log.info('key removed', { port: p.name, ckn: req.ckn });
        return { keyChain: p.keyChainCkns() };
      }
      case 'setMode': {
        const mode = str(req, 'mode');
        if (mode !== 'should_encrypt' && mode !== 'must_encrypt' && mode !== 'no_encrypt') {
          throw new NodeError('badRequest', `mode must be should_encrypt, must_encrypt or no_encrypt, got '${mode}'`);
        }
        const lag = str(req, 'lag', false);
        if (lag !== undefined) {
          const r = lagSetMode(n.lag(lag), mode);
          this.log.info('mode set', { lag, mode });
          return r;
        }
        const p = n.macsecPort(port);
        p.setMode(mode);
        this.log.info('mode set', { port: p.name, mode });
        return { mode };
      }
      case 'set': {
        // {"cmd":"set","port","knob","value"}: one MACsec knob (knobs.ts), the value as a configuration file writes it.
        const knob = str(req, 'knob')!;
        const value = resolveMacsecKnob(knob as MacsecKnob, req.value);
        const p = n.macsecPort(port);
        const { from, applied } = p.setKnob(knob as MacsecKnob, value);
        return { knob, from, to: req.value, applied };
      }
      case 'rekey': {
        const p = n.macsecPort(port);
        p.rekey();
        return { requested: true };
      }
      case 'staticSas': {
        // {"cmd":"staticSas","port","staticSas": a port's macsec.staticSas, or null: MKA again}. The answer holds no key.
        const p = n.macsecPort(port);
        p.setStaticSas(req.staticSas === null ? undefined : resolveStaticSasRequest(req.staticSas));
        return { keying: p.status().keying, ...(p.status().staticSas ? { staticSas: p.status().staticSas } : {}) };
      }
      case 'capture': {
        if (req.stop === true) return n.stopCaptures(port).then((captures) => ({ stopped: captures.length > 0, captures }));
        if (req.stop !== undefined) {
          const path = str(req, 'stop')!;
          if (!isAbsolute(path)) throw new NodeError('badRequest', `'stop' must be true or the absolute path of a running capture, got '${path}'`);
          return n.stopCaptures(port, path).then((captures) => ({ stopped: captures.length > 0, captures }));
        }
        const side = str(req, 'side') as 'wire' | 'clear' | 'decrypted';
        const duration = req.durationS;
        if (duration !== undefined && (typeof duration !== 'number' || !(duration > 0))) throw new NodeError('badRequest', `'durationS' must be a positive number`);
        const path = str(req, 'path', false);
        return n.startCapture(port, side, path, duration as number | undefined).then((p) => ({ path: p }));
      }
      case 'lag': {
        // {"cmd":"lag"} every LAG; {"cmd":"lag","lag":NAME} one (dxlab show lag).
        const name = str(req, 'lag', false);
        return { lags: name === undefined ? n.lags.map((l) => l.status()) : [n.lag(name).status()] };
      }
      case 'setMinimumLinks': {
        const r = lagSetMinimumLinks(n.lag(str(req, 'lag')), req.minimumLinks);
        this.log.info('minimumLinks set', { lag: r.lag, minimumLinks: r.minimumLinks });
        return r;
      }
      case 'lagMember': {
        const r = lagSetMember(n.lag(str(req, 'lag')), str(req, 'port')!, req.member);
        this.log.info(r.member ? 'LAG member back in' : 'LAG member taken out', { lag: r.lag, port: r.port });
        return r;
      }
      case 'bgp': {
        // {"cmd":"bgp"} lists the peers; {"cmd":"bgp","tap":T,"prefixes":[...]} changes what the builtin speaker on T advertises.
        const tap = str(req, 'tap', false);
        if (req.prefixes !== undefined) {
          if (!Array.isArray(req.prefixes) || !req.prefixes.every((p) => typeof p === 'string')) throw new NodeError('badRequest', `'prefixes' must be an array of strings`);
          const s = n.speaker(tap);
          if (!(s instanceof BuiltinSpeaker)) throw new NodeError('badRequest', `TAP ${s.tap} runs BIRD: change its prefixes in bird.conf`);
          s.setPrefixes(req.prefixes as string[]);
          this.log.info('bgp prefixes set', { tap: s.tap, prefixes: req.prefixes });
          return { peers: [s.status()] };
        }
        return { peers: tap ? [n.speaker(tap).status()] : n.speakers.map((s) => s.status()) };
      }
      case 'addVif':
        return n.addVif(str(req, 'port')!, req.tap).then(({ name }) => ({ name }));
      case 'removeVif':
        return n.removeVif(str(req, 'name')!).then(({ name }) => ({ name }));
      case 'moveVif': {
        const name = str(req, 'name')!;
        const to = str(req, 'to')!;
        if (req.vlan !== undefined && typeof req.vlan !== 'number') throw new NodeError('badRequest', `'vlan' must be an integer from 1 to 4094`);
        return n.moveVif(name, to, req.vlan as number | undefined);
      }
      case 'provider':
      case 'attack':
        // A provider's knob ({"cmd":"provider","knob","value"}) or an attacker's action (in-path-request.ts).
        return inPathRequest(n, req);
      default:
        throw new NodeError('unknownCommand', `unknown cmd '${String(req.cmd)}': expected status, counters, events, addKey, removeKey, setMode, set, rekey, staticSas, capture, lag, setMinimumLinks, lagMember, bgp, addVif, removeVif, moveVif, provider or attack`);
    }
  }
}
