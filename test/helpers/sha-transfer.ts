/**
 * A checked TCP transfer between namespaces: a client sends random octets, the
 * server answers with their count and sha256, and the client prints both
 * digests. Used where data must cross a lab path intact.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Runs `node -e script` in a namespace; resolves with its stdout. */
export function nodeIn(ns: string, script: string, args: string[], children: ChildProcess[], onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(p);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (onLine && out.includes('\n')) onLine(out.split('\n')[0]!);
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`node in ${ns} exited ${code}: ${err}`))));
  });
}

export const SERVER = `
const net = require('node:net'), { createHash } = require('node:crypto');
const srv = net.createServer((s) => {
  const h = createHash('sha256'); let n = 0;
  s.on('data', (d) => { h.update(d); n += d.length; });
  s.on('end', () => { s.end(JSON.stringify({ n, sha256: h.digest('hex') })); srv.close(); });
});
srv.listen(Number(process.argv[2]), process.argv[1], () => console.log('listening'));
`;

export const CLIENT = `
const net = require('node:net'), { createHash, randomBytes } = require('node:crypto');
const total = Number(process.argv[3]); const h = createHash('sha256');
const s = net.connect(Number(process.argv[2]), process.argv[1], () => {
  let sent = 0;
  const more = () => {
    while (sent < total) {
      const chunk = randomBytes(Math.min(256 * 1024, total - sent)); h.update(chunk); sent += chunk.length;
      if (!s.write(chunk)) return s.once('drain', more);
    }
    s.end();
  };
  more();
});
let reply = '';
s.on('data', (d) => (reply += d));
s.on('close', () => console.log(JSON.stringify({ sent: h.digest('hex'), reply: JSON.parse(reply) })));
`;

/**
 * Sends `octets` from `clientNs` to `address`:`port` in `serverNs`; resolves
 * with the client's digest and the server's count and digest.
 */
export async function shaTransfer(clientNs: string, serverNs: string, address: string, port: number, octets: number, children: ChildProcess[]): Promise<{ sent: string; reply: { n: number; sha256: string } }> {
  let ready!: () => void;
  const listening = new Promise<void>((r) => (ready = r));
  const server = nodeIn(serverNs, SERVER, [address, String(port)], children, () => ready());
  await listening;
  const out = JSON.parse(await nodeIn(clientNs, CLIENT, [address, String(port), String(octets)], children)) as { sent: string; reply: { n: number; sha256: string } };
  await server;
  return out;
}
