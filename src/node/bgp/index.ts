/**
 * A node's BGP speakers: one per TAP that has a `bgp` section, the builtin
 * speaker (src/bgp's FSM on kernel TCP with TCP MD5) or BIRD 2. Both report
 * the same per-peer status (RFC 4271 state names, uptime, prefixes received
 * and advertised, last error).
 *
 * @example
 * import { createSpeaker } from './bgp/index.js';
 * const speaker = createSpeaker(tap.name, tap.bgp!, { nodeName: 'dx', runDir: '/tmp', log, now });
 * await speaker.start();
 * console.log(speaker.status().state); // 'Established' once the peer answers
 * await speaker.stop();
 */
import { join } from 'node:path';
import { tcpMd5Unavailable } from '../../io/index.js';
import type { BgpConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { BirdSpeaker } from './bird.js';
import { BuiltinSpeaker } from './builtin.js';
import { kernelRoutes, kernelTransport, readMd5Counters } from './kernel.js';
import type { BgpSpeaker } from './types.js';

export type { BgpPeerStatus, BgpSpeaker, BgpTransport, FibRoute, RouteTable, TcpSocketLike } from './types.js';
export { BuiltinSpeaker, type BuiltinSpeakerDeps } from './builtin.js';
export { BirdSpeaker, birdConfig, birdPeerStatus, birdProtocolName, parseBirdProtocol, type BirdProtocolInfo } from './bird.js';
export { kernelRoutes, kernelTransport, parseMd5Counters, plainAddress, readMd5Counters, type Md5DropCounters } from './kernel.js';

export interface SpeakerContext {
  nodeName: string;
  /** Folder for BIRD's files (config, control socket, pid, log). */
  runDir: string;
  /** The node's namespace, when the process is not already in it. */
  netns?: string;
  log: Logger;
  /** Monotonic milliseconds. */
  now: () => number;
  /** TCP port (tests run speakers off 179). @default 179 */
  port?: number;
}

/** The speaker a TAP's `bgp` section asks for. */
export function createSpeaker(tap: string, config: BgpConfig, ctx: SpeakerContext): BgpSpeaker {
  const log = ctx.log.child('bgp');
  if (config.speaker === 'bird') {
    // One BIRD per session: a dual-stack VIF's IPv6 session gets files of its own.
    const v6 = config.peerAddress.includes(':') ? '-v6' : '';
    return new BirdSpeaker(tap, config, { base: join(ctx.runDir, `dxlab-${ctx.nodeName}-${tap}${v6}-bird`), netns: ctx.netns, log });
  }
  return new BuiltinSpeaker(tap, config, {
    transport: kernelTransport({
      localAddress: config.localAddress,
      peerAddress: config.peerAddress,
      md5Key: config.md5Key?.expose(),
      netns: ctx.netns,
      ...(ctx.port !== undefined ? { port: ctx.port } : {}),
    }),
    routes: kernelRoutes(ctx.netns),
    now: ctx.now,
    log,
    md5Unavailable: tcpMd5Unavailable,
    md5Counters: () => readMd5Counters(ctx.netns),
  });
}
