/**
 * BIRD 2 as a node's speaker (`speaker: bird`): a bird.conf written from the
 * TAP's BGP settings, `bird -f -c FILE -s SOCKET -P PIDFILE` run as a child
 * inside the node's namespace, status from `birdc -s SOCKET show protocols
 * all`. Checked against BIRD 2.0.12 (Debian 12 bird2).
 *
 * The configuration (BIRD 2 User's Guide, "Protocols"): `protocol device`
 * (BIRD learns interfaces only through it); a static protocol per family
 * holding the prefixes to advertise as blackhole routes; a kernel protocol
 * per family exporting BGP routes (only those) to the main table; and the
 * `protocol bgp` with local/neighbor address and AS, hold and keepalive
 * time, `password` (TCP MD5, "password string" in the BGP section), `passive`,
 * and an IPv4 and an IPv6 channel importing everything and exporting the
 * static routes. eBGP in BIRD 2 exports nothing without an explicit filter
 * (RFC 8212 behaviour), so both filters are spelled out.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { AFI_IPV6, afiOf, type BgpState } from '../../bgp/index.js';
import type { BgpConfig } from '../config.js';
import { NodeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BgpPeerStatus, BgpSpeaker } from './types.js';

/** The protocol name of a TAP's session in bird.conf (BIRD symbols: letters, digits, underscore). */
export function birdProtocolName(tap: string): string {
  return `dxlab_${tap.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * bird.conf for one TAP's session.
 * @throws NodeError('config') for a password BIRD's string syntax cannot hold.
 */
export function birdConfig(tap: string, c: BgpConfig): string {
  const v4 = c.prefixes.filter((p) => afiOf(p) !== AFI_IPV6);
  const v6 = c.prefixes.filter((p) => afiOf(p) === AFI_IPV6);
  const lines: string[] = [
    `# Written by dxlab for TAP ${tap}; regenerated at every start.`,
    `router id ${c.routerId};`,
    'timeformat protocol iso long;',
    // bird runs with -f: stderr is the .log file next to the config.
    'log stderr all;',
    '',
    'protocol device {',
    '  scan time 10;',
    '}',
    '',
    'protocol kernel kernel4 {',
    '  ipv4 { import none; export where source = RTS_BGP; };',
    '}',
    '',
    'protocol kernel kernel6 {',
    '  ipv6 { import none; export where source = RTS_BGP; };',
    '}',
    '',
    'protocol static static4 {',
    '  ipv4;',
    ...v4.map((p) => `  route ${p} blackhole;`),
    '}',
    '',
    'protocol static static6 {',
    '  ipv6;',
    ...v6.map((p) => `  route ${p} blackhole;`),
    '}',
    '',
    `protocol bgp ${birdProtocolName(tap)} {`,
    `  local ${c.localAddress} as ${c.localAsn};`,
    `  neighbor ${c.peerAddress} as ${c.peerAsn};`,
    `  hold time ${c.holdTimeS};`,
    `  keepalive time ${c.keepaliveS};`,
    `  connect retry time ${c.connectRetryS};`,
  ];
  if (c.md5Key) {
    const pw = new TextDecoder().decode(c.md5Key.expose());
    if (/["\\\n\r]/.test(pw)) throw new NodeError('config', `TAP ${tap}: a BIRD password cannot hold '"', '\\' or a line break`);
    lines.push(`  password "${pw}";`);
  }
  if (c.passive) lines.push('  passive on;');
  const nh = (addr: string | undefined, family: 4 | 6) => (addr && afiOf(c.peerAddress) !== (family === 6 ? AFI_IPV6 : 1) ? ` next hop address ${addr};` : '');
  lines.push(
    `  ipv4 { import all; export where source = RTS_STATIC;${nh(c.nextHop4, 4)} };`,
    `  ipv6 { import all; export where source = RTS_STATIC;${nh(c.nextHop6, 6)} };`,
    '}',
    '',
  );
  return lines.join('\n');
}

const BIRD_STATES: Readonly<Record<string, BgpState>> = {
  Idle: 'Idle',
  Connect: 'Connect',
  Active: 'Active',
  OpenSent: 'OpenSent',
  OpenConfirm: 'OpenConfirm',
  Established: 'Established',
  Close: 'Idle',
};

/** What `show protocols all NAME` says about one BGP protocol. */
export interface BirdProtocolInfo {
  state: BgpState;
  /** The "Since" column, when the protocol is up: the time Established was reached. */
  since: Date | null;
  lastError: string | null;
  holdTimeS: number | null;
  keepaliveS: number | null;
  /** "Routes: N imported, M exported" per channel. */
  routes: { ipv4: { imported: number; exported: number }; ipv6: { imported: number; exported: number } };
}

/**
 * A session's BgpPeerStatus from what BIRD reports of its protocol, the
 * configured timers standing in until BIRD has said (no protocol yet, or
 * BIRD not running): our BIRD speaker and a guest image's BIRD
 * (src/lab/images/guest-status.ts) answer alike. What only the caller knows
 * (uptime, passive, the last error) comes in `rest`.
 */
export function birdPeerStatus(
  tap: string,
  c: { localAsn: number; peerAsn: number; localAddress: string; peerAddress: string; holdTimeS: number; keepaliveS: number; connectRetryS: number; md5Key?: unknown },
  i: BirdProtocolInfo | null | undefined,
  rest: Pick<BgpPeerStatus, 'uptimeS' | 'passive' | 'lastError'>,
): BgpPeerStatus {
  return {
    tap,
    speaker: 'bird',
    localAsn: c.localAsn,
    peerAsn: c.peerAsn,
    localAddress: c.localAddress,
    peerAddress: c.peerAddress,
    state: i?.state ?? 'Idle',
    uptimeS: rest.uptimeS,
    prefixes: {
      received: { ipv4: i?.routes.ipv4.imported ?? 0, ipv6: i?.routes.ipv6.imported ?? 0 },
      advertised: { ipv4: i?.routes.ipv4.exported ?? 0, ipv6: i?.routes.ipv6.exported ?? 0 },
    },
    holdTimeS: i?.holdTimeS ?? c.holdTimeS,
    keepaliveS: i?.keepaliveS ?? c.keepaliveS,
    connectRetryS: c.connectRetryS,
    md5: !!c.md5Key,
    passive: rest.passive,
    lastError: rest.lastError,
  };
}

/** Parses `birdc show protocols all NAME` output (BIRD 2.0, `timeformat protocol iso long`). */
export function parseBirdProtocol(text: string, name: string): BirdProtocolInfo | null {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => l.startsWith(`${name} `));
  if (head < 0) return null;
  const cols = lines[head]!.trim().split(/\s+/);
  // name proto table state since-date since-time info...
  const up = cols[3] === 'up';
  const sinceText = cols[4] && /^\d{4}-\d\d-\d\d$/.test(cols[4]) ? `${cols[4]}T${cols[5] ?? '00:00:00'}` : null;
  const info: BirdProtocolInfo = {
    state: 'Idle',
    since: up && sinceText ? new Date(sinceText) : null,
    lastError: null,
    holdTimeS: null,
    keepaliveS: null,
    routes: { ipv4: { imported: 0, exported: 0 }, ipv6: { imported: 0, exported: 0 } },
  };
  let channel: 'ipv4' | 'ipv6' | null = null;
  for (const raw of lines.slice(head + 1)) {
    if (raw.length > 0 && !raw.startsWith(' ')) break; // next protocol
    const l = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = l.match(/^BGP state:\s+(\S+)/))) info.state = BIRD_STATES[m[1]!] ?? 'Idle';
    else if ((m = l.match(/^Last error:\s+(.*)$/))) info.lastError = m[1]!.trim() || null;
    else if ((m = l.match(/^Hold timer:\s+[\d.]+\/(\d+)/))) info.holdTimeS = Number(m[1]);
    else if ((m = l.match(/^Keepalive timer:\s+[\d.]+\/(\d+)/))) info.keepaliveS = Number(m[1]);
    else if ((m = l.match(/^Channel (ipv4|ipv6)/))) channel = m[1] as 'ipv4' | 'ipv6';
    else if ((m = l.match(/^Routes:\s+(\d+) imported,(?: \d+ filtered,)? (\d+) exported/)) && channel) {
      info.routes[channel] = { imported: Number(m[1]), exported: Number(m[2]) };
    }
  }
  return info;
}

export interface BirdSpeakerOptions {
  /** Where bird.conf, the control socket and the pid file go: `${base}.conf`, `.ctl`, `.pid`, `.log`. */
  base: string;
  /** Run BIRD in this namespace (`ip netns exec`); unset: the node's own namespace. */
  netns?: string;
  log: Logger;
  /** @default 'bird' */
  birdBinary?: string;
  /** @default 'birdc' */
  birdcBinary?: string;
}

/** How often the status is refreshed from birdc. */
const BIRD_POLL_MS = 1000;

export class BirdSpeaker implements BgpSpeaker {
  private child: ChildProcess | undefined;
  private info: BirdProtocolInfo | null = null;
  private exitError: string | null = null;
  private poll: NodeJS.Timeout | undefined;
  private readonly files: { conf: string; ctl: string; pid: string; log: string };

  constructor(
    readonly tap: string,
    readonly config: BgpConfig,
    private readonly o: BirdSpeakerOptions,
  ) {
    this.files = { conf: `${o.base}.conf`, ctl: `${o.base}.ctl`, pid: `${o.base}.pid`, log: `${o.base}.log` };
  }

  /** @throws NodeError('config' | 'device') when the configuration is refused or BIRD does not start. */
  async start(): Promise<void> {
    writeFileSync(this.files.conf, birdConfig(this.tap, this.config), { mode: 0o600 });
    const argv = [this.o.birdBinary ?? 'bird', '-f', '-c', this.files.conf, '-s', this.files.ctl, '-P', this.files.pid];
    const cmd = this.o.netns ? ['ip', 'netns', 'exec', this.o.netns, ...argv] : argv;
    const fd = openSync(this.files.log, 'a');
    try {
      this.child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    const exited = new Promise<string>((resolve) => {
      child.once('error', (e) => resolve(`cannot run ${argv[0]}: ${e.message} (install BIRD 2: apt-get install bird2)`));
      child.once('exit', (code, sig) => resolve(`bird exited (${sig ?? `code ${code}`}); see ${this.files.log}`));
    });
    void exited.then((why) => {
      if (this.child === child) {
        this.exitError = why;
        this.child = undefined;
        this.o.log.error('bird stopped', { tap: this.tap, reason: why });
      }
    });
    // Ready when the control socket answers.
    const end = Date.now() + 10_000;
    for (;;) {
      const r = await Promise.race([this.birdc(['show', 'status']).then(() => 'ok', () => null), exited]);
      if (r === 'ok') break;
      if (r !== null) throw new NodeError('device', `TAP ${this.tap}: ${r}`);
      if (Date.now() > end) {
        await this.stop();
        throw new NodeError('device', `TAP ${this.tap}: bird did not answer on ${this.files.ctl} within 10 s`);
      }
      await new Promise((r2) => setTimeout(r2, 100));
    }
    await this.refresh();
    this.poll = setInterval(() => void this.refresh(), BIRD_POLL_MS);
    this.poll.unref();
    this.o.log.info('bird started', { tap: this.tap, pid: child.pid, config: this.files.conf, socket: this.files.ctl });
  }

  async stop(): Promise<void> {
    clearInterval(this.poll);
    this.poll = undefined;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      // SIGTERM: BIRD shuts its protocols down (Cease to the peer) and removes its kernel routes.
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(this.files.ctl, { force: true });
    rmSync(this.files.pid, { force: true });
  }

  /** Runs birdc against the control socket. */
  birdc(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.o.birdcBinary ?? 'birdc', ['-s', this.files.ctl, ...args], { encoding: 'utf8', timeout: 5000 }, (err, out, stderr) => {
        if (err) reject(new Error(stderr.trim() || err.message));
        else resolve(out);
      });
    });
  }

  /** Re-reads the protocol's state from BIRD (the status shows the last reading, at most a second old). */
  async refresh(): Promise<void> {
    try {
      this.info = parseBirdProtocol(await this.birdc(['show', 'protocols', 'all', birdProtocolName(this.tap)]), birdProtocolName(this.tap));
    } catch {
      /* BIRD stopping or gone: exitError says so */
    }
  }

  status(): BgpPeerStatus {
    const c = this.config;
    const i = this.child ? this.info : null;
    const state = i?.state ?? 'Idle';
    return birdPeerStatus(this.tap, c, i, {
      uptimeS: state === 'Established' && i?.since ? Math.max(0, Math.floor((Date.now() - i.since.getTime()) / 1000)) : null,
      passive: c.passive,
      lastError: this.exitError ?? i?.lastError ?? null,
    });
  }
}
