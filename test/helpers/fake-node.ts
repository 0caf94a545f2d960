/**
 * A DX node's control socket without a node: a Unix socket speaking the
 * control protocol (one JSON object per line each way), with ports held in
 * memory, that records every command it gets. It answers `status` in the
 * node's shape (a MACsec port's `kay` with mode, secured, the CKN in use and
 * one participant per key chain pair; `bgp` per TAP) and the contract §2
 * commands (addVif, moveVif, removeVif, an empty key chain), and a LAG's
 * (`lags` in status; addKey, removeKey, setMode with `lag`, setMinimumLinks,
 * lagMember), so that the AWS binding can be tested before a real node has
 * them.
 */
import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';

export interface FakePort {
  mode: 'no_encrypt' | 'should_encrypt' | 'must_encrypt';
  /** Lower-case CKNs, oldest first. */
  keyChain: string[];
  secured: boolean;
  /** The CKN MKA secured with (lower case); the test sets it. */
  inUse?: string;
  cipherSuites?: string[];
}

export interface FakeVif {
  name: string;
  port: string;
  vlan?: number;
  tap: Record<string, unknown>;
  bgpState: string;
}

export interface FakeLag {
  members: string[];
  minimumLinks: number;
  /** The test sets it (the bundle up or not). */
  logicalPortUp: boolean;
  /** Member ports taken out of the LAG (lagMember false). */
  out: Set<string>;
}

export interface FakeNode {
  path: string;
  ports: Map<string, FakePort>;
  lags: Map<string, FakeLag>;
  vifs: Map<string, FakeVif>;
  /** Every request but `status`, in order. */
  commands: Array<Record<string, unknown>>;
  /** cmd -> error code: the node refuses that command. */
  failing: Map<string, string>;
  /** Stops answering at all (the node is gone). */
  down: boolean;
  /** The status's `startedAt`: a test that sets another has restarted the node. */
  startedAt: string;
  close(): Promise<void>;
}

export async function fakeNode(path: string, ports: Record<string, FakePort>, lags: Record<string, FakeLag> = {}): Promise<FakeNode> {
  const node: FakeNode = {
    path,
    ports: new Map(Object.entries(ports)),
    lags: new Map(Object.entries(lags)),
    vifs: new Map(),
    commands: [],
    failing: new Map(),
    down: false,
    startedAt: '2026-12-07T00:00:00.000Z',
    close: async () => {},
  };
  const answer = (req: Record<string, any>): unknown => {
    const cmd = String(req.cmd);
    if (cmd !== 'status') node.commands.push(req);
    const code = node.failing.get(cmd);
    if (code) throw Object.assign(new Error(`${cmd} refused (test)`), { code });
    const port = (name: unknown) => {
      const p = node.ports.get(String(name));
      if (!p) throw Object.assign(new Error(`no port ${String(name)}`), { code: 'unknownPort' });
      return p;
    };
    const lag = (name: unknown) => {
      const l = node.lags.get(String(name));
      if (!l) throw Object.assign(new Error(`no LAG '${String(name)}'`), { code: 'badRequest' });
      return l;
    };
    // A LAG-wide key or mode command: every member, as the node does (src/node/lag-commands.ts).
    if (req.lag !== undefined && (cmd === 'addKey' || cmd === 'removeKey' || cmd === 'setMode')) {
      const members = lag(req.lag).members.map((m) => [m, port(m)] as const);
      if (cmd === 'addKey' && members.some(([, p]) => p.keyChain.length >= 3 || p.keyChain.includes(req.ckn))) throw Object.assign(new Error('a member holds the CKN or three pairs'), { code: 'badRequest' });
      if (cmd === 'removeKey' && members.some(([, p]) => !p.keyChain.includes(req.ckn))) throw Object.assign(new Error('a member lacks the CKN'), { code: 'badRequest' });
      for (const [, p] of members) {
        if (cmd === 'addKey') p.keyChain.push(String(req.ckn));
        else if (cmd === 'removeKey') p.keyChain = p.keyChain.filter((k) => k !== req.ckn);
        else p.mode = req.mode;
      }
      return { lag: req.lag, members: members.map(([name, p]) => ({ port: name, keyChain: p.keyChain })) };
    }
    switch (cmd) {
      case 'status':
        return {
          name: 'dx',
          startedAt: node.startedAt,
          ports: [...node.ports].map(([name, p]) => ({
            name,
            kind: 'macsec',
            taps: [...node.vifs.values()].filter((v) => v.port === name).map((v) => ({ name: v.name, vlan: v.vlan ?? null })),
            kay: {
              mode: p.mode,
              secured: p.secured,
              keyChain: p.secured && p.inUse ? { inUse: p.inUse } : { reason: 'test' },
              participants: p.keyChain.map((ckn, i) => ({ ckn, keyChainIndex: i, principal: ckn === p.inUse })),
            },
          })),
          bgp: [...node.vifs.values()].map((v) => ({ tap: v.name, state: v.bgpState })),
          lags: [...node.lags].map(([name, l]) => ({
            name,
            minimumLinks: l.minimumLinks,
            logicalPortUp: l.logicalPortUp,
            ports: l.members.map((m) => ({ name: m, lacpEnabled: !l.out.has(m) })),
          })),
        };
      case 'setMinimumLinks':
        lag(req.lag).minimumLinks = req.minimumLinks;
        return { lag: req.lag, minimumLinks: req.minimumLinks };
      case 'lagMember': {
        const l = lag(req.lag);
        if (req.member) l.out.delete(String(req.port));
        else l.out.add(String(req.port));
        return { lag: req.lag, port: req.port, member: req.member };
      }
      case 'addKey': {
        const p = port(req.port);
        if (p.keyChain.length >= 3 || p.keyChain.includes(req.ckn)) throw Object.assign(new Error('key chain full or CKN held'), { code: 'badRequest' });
        p.keyChain.push(String(req.ckn));
        return { keyChain: p.keyChain };
      }
      case 'removeKey': {
        const p = port(req.port);
        p.keyChain = p.keyChain.filter((k) => k !== req.ckn);
        if (p.inUse === req.ckn) p.secured = false;
        return { keyChain: p.keyChain };
      }
      case 'setMode':
        port(req.port).mode = req.mode;
        return { mode: req.mode };
      case 'set':
        if (req.knob === 'cipherSuites') port(req.port).cipherSuites = req.value;
        return { knob: req.knob, from: null, to: req.value, applied: 'kayRestart' };
      case 'addVif': {
        // A VIF goes on a port or on a LAG's logical port (src/node/node.ts vifHolder).
        if (!node.lags.has(String(req.port))) port(req.port);
        const name = String(req.tap?.name);
        if (node.vifs.has(name)) throw Object.assign(new Error(`VIF ${name} exists`), { code: 'vifExists' });
        node.vifs.set(name, { name, port: String(req.port), vlan: req.tap?.vlan, tap: req.tap, bgpState: 'Active' });
        return { name };
      }
      case 'moveVif': {
        const v = node.vifs.get(String(req.name));
        if (!v) throw Object.assign(new Error(`no VIF ${String(req.name)}`), { code: 'unknownVif' });
        if (!node.lags.has(String(req.to))) port(req.to);
        v.port = String(req.to);
        if (req.vlan !== undefined) v.vlan = req.vlan;
        v.bgpState = 'Active';
        return { name: v.name };
      }
      case 'removeVif':
        if (!node.vifs.delete(String(req.name))) throw Object.assign(new Error(`no VIF ${String(req.name)}`), { code: 'unknownVif' });
        return {};
      default:
        throw Object.assign(new Error(`unknown cmd ${cmd}`), { code: 'unknownCommand' });
    }
  };
  rmSync(path, { force: true });
  const server: Server = createServer((s) => {
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      if (node.down) return void s.destroy();
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const req = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        try {
          s.write(JSON.stringify({ id: req.id, ok: true, result: answer(req) }) + '\n');
        } catch (e) {
          s.write(JSON.stringify({ id: req.id, ok: false, error: { code: (e as { code?: string }).code ?? 'internal', message: (e as Error).message } }) + '\n');
        }
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  node.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return node;
}
