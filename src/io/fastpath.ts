/**
 * The native fast path of a MACsec port (src/io/native/fastpath.c): frames
 * that end in the SecY's common verdicts (outPktsEncrypted, outPktsUntagged,
 * inPktsOK, inPktsUntagged) go from TAP to wire and back inside the addon's
 * poll callbacks, with no JavaScript per frame. Every other frame reaches the
 * port's handlers as before, untouched, and the TypeScript SecY decides it.
 *
 * The SecY stays the one owner of state: the fast path reads its tables
 * (`SecY.fastPathTables()`) and writes PNs and counts into the SA state
 * blocks the SecY shares with it. The port re-configures it whenever the
 * SecY, the controlled port or the captures change.
 *
 * @example
 * const fp = FastPath.create();
 * fp.attach(wire, [tap0]);
 * secy.onChange = () => fp.configure({ ...portPart, ...secy.fastPathTables()! });
 */
import type { FastPathTables } from '../macsec/index.js';
import type { FrameIo } from './frame-io.js';
import { IoError } from './errors.js';
import type { NativeHandle } from './native.js';
import { loadNative } from './native.js';
import { NativeFrameIo } from './native-frame-io.js';

type FastPathHandle = { readonly __brand: 'dxio fast path' };

/** The most receive SAs, clear-text EtherTypes and TAPs the addon's tables hold (fastpath.h FP_MAX_*). */
export const FAST_PATH_MAX_RX_SAS = 64;
export const FAST_PATH_MAX_CLEAR_TEXT = 16;
export const FAST_PATH_MAX_TAPS = 16;
/** The most members a LAG's fast path takes (fastpath.h FP_LAG_MAX_MEMBERS). */
export const FAST_PATH_MAX_LAG_MEMBERS = 8;

/** What the port adds to the SecY's tables. */
export interface FastPathPortConfig {
  /** False: every frame goes to JavaScript (captures running, a bridge, a blocked state the port must count). */
  enabled: boolean;
  /** The controlled port is blocked: frames go to JavaScript, which counts them. */
  blocked: boolean;
  /** 802.1Q VLAN of each attached TAP, -1 for untagged, in attach order. */
  taps: number[];
  eapolEtherType: number;
  /** EtherTypes let through in clear beside MACsec: left to JavaScript. */
  clearText: number[];
}

export type FastPathConfig = FastPathPortConfig & FastPathTables;

/** What the fast path did since it was created. */
export interface FastPathStats {
  /** Frames from TAPs it sent to the wire. */
  txFrames: number;
  /** Frames from the wire it wrote to TAPs. */
  rxFrames: number;
  /** Frames it left to JavaScript, each way. */
  txToJs: number;
  rxToJs: number;
}

/**
 * What a LAG's fast path does with its members (src/io/native/lag.c): the
 * members in LACP port order, and which of them distribute and collect
 * (bit i: member i), as LACP last decided.
 */
export interface LagFastPathConfig {
  /** False: every frame of the LAG's TAPs goes to JavaScript, and the members' fast paths deliver nothing. */
  enabled: boolean;
  members: readonly FastPath[];
  distributing: number;
  collecting: number;
  /** 802.1Q VLAN of each attached TAP of the LAG, -1 for untagged, in attach order. */
  taps: number[];
}

/** What a LAG's fast path did since it was created (per member in configuration order). */
export interface LagFastPathStats {
  /** Frames from the LAG's TAPs it sent through a member. */
  txFrames: number;
  /** Frames from the LAG's TAPs it left to JavaScript's distributor. */
  txToJs: number;
  /** Frames a member validated whose collector was disabled: dropped. */
  rxNotCollecting: number;
  txByMember: number[];
  rxByMember: number[];
}

/** One frame the fast path decided (process()): tap -1 when a LAG member's collector dropped it. */
export interface FastPathOutput {
  index: number;
  tap: number;
  frame: Uint8Array;
  /** For a LAG's 'tx': the member (index in its configuration) that carried it. */
  member?: number;
}

interface FastPathAddon {
  fpCreate(): FastPathHandle;
  fpConfigure(fp: FastPathHandle, config: FastPathConfig): void;
  fpAttach(fp: FastPathHandle, wire: NativeHandle | null, taps: NativeHandle[]): void;
  fpProcess(fp: FastPathHandle, dir: 'tx' | 'rx', frames: readonly Uint8Array[], tap: number): { out: FastPathOutput[]; left: number[] };
  fpStats(fp: FastPathHandle): FastPathStats;
  fpLagCreate(): FastPathHandle;
  fpLagConfigure(lag: FastPathHandle, config: Omit<LagFastPathConfig, 'members'> & { members: FastPathHandle[] }): void;
  fpLagAttach(lag: FastPathHandle, taps: NativeHandle[]): void;
  fpLagStats(lag: FastPathHandle): LagFastPathStats;
}

function nativeHandleOf(io: FrameIo): NativeHandle | undefined {
  return io instanceof NativeFrameIo ? io.nativeHandle : undefined;
}

export class FastPath {
  private constructor(
    private readonly addon: FastPathAddon,
    /** @internal The addon's external, for a LAG's fast path to name its members. */
    readonly handle: FastPathHandle,
  ) {}

  /** @throws IoError('addonNotLoaded') when the addon cannot be loaded. */
  static create(): FastPath {
    const addon = loadNative() as unknown as FastPathAddon;
    return new FastPath(addon, addon.fpCreate());
  }

  /**
   * Whether `wire` and `taps` are addon devices (AF_PACKET and TAPs) the fast
   * path can serve; the memory wire of the tests is not.
   */
  static canServe(wire: FrameIo, taps: readonly FrameIo[]): boolean {
    return wire.kind === 'afPacket' && nativeHandleOf(wire) !== undefined && taps.length > 0 && taps.length <= FAST_PATH_MAX_TAPS && taps.every((t) => t.kind === 'tap' && nativeHandleOf(t) !== undefined);
  }

  /** Whether `wire` is an addon packet socket: a LAG member's fast path serves its wire only. */
  static canServeWire(wire: FrameIo): boolean {
    return wire.kind === 'afPacket' && nativeHandleOf(wire) !== undefined;
  }

  /**
   * Takes over the frames read on these devices (TAP i is `taps[i]` of the
   * configuration). @throws IoError('invalidArgument') for devices it cannot serve.
   */
  attach(wire: FrameIo, taps: readonly FrameIo[]): void {
    const w = nativeHandleOf(wire);
    const t = taps.map(nativeHandleOf);
    if (!w || t.some((x) => x === undefined)) throw new IoError('invalidArgument', 'the fast path serves addon devices only (AF_PACKET wire, TAPs)');
    try {
      this.addon.fpAttach(this.handle, w, t as NativeHandle[]);
    } catch (e) {
      throw new IoError('invalidArgument', `fast path: ${(e as Error).message}`, { cause: e });
    }
  }

  detach(): void {
    this.addon.fpAttach(this.handle, null, []);
  }

  /** Replaces the whole configuration. @throws IoError('invalidArgument') on a bad one (the old one stays). */
  configure(config: FastPathConfig): void {
    try {
      this.addon.fpConfigure(this.handle, config);
    } catch (e) {
      throw new IoError('invalidArgument', (e as Error).message, { cause: e });
    }
  }

  /**
   * The per-frame decisions without I/O, for tests: what the fast path makes
   * of `frames` (from TAP `tap` for 'tx'), and the indices it leaves to JavaScript.
   */
  process(dir: 'tx' | 'rx', frames: readonly Uint8Array[], tap = 0): { out: FastPathOutput[]; left: number[] } {
    return this.addon.fpProcess(this.handle, dir, frames, tap);
  }

  stats(): FastPathStats {
    return this.addon.fpStats(this.handle);
  }
}

/**
 * A LAG's Frame Distributor and Frame Collector in the addon's fast path
 * (src/io/native/lag.c, IEEE 802.1AX-2014 6.2.3 and 6.2.4): frames read from
 * the LAG's TAPs go, with no JavaScript per frame, through the member the
 * flow hash picks among the distributing ones (that member's SecY fast
 * path, then its wire); a member's fast path delivers what it validated to
 * the LAG's TAPs while its collector is enabled, and drops and counts it
 * otherwise. LACPDUs, Marker PDUs and MKPDUs, and every frame a member's
 * fast path leaves, go to JavaScript, whose distributor
 * (src/lacp/distributor.ts, the reference) picks the same member.
 *
 * @example
 * const lagFp = LagFastPath.create();
 * lagFp.attach([tap0]);
 * lagFp.configure({ enabled: true, members: [fp1, fp2], distributing: 0b11, collecting: 0b11, taps: [100] });
 */
export class LagFastPath {
  private constructor(
    private readonly addon: FastPathAddon,
    private readonly handle: FastPathHandle,
  ) {}

  /** @throws IoError('addonNotLoaded') when the addon cannot be loaded. */
  static create(): LagFastPath {
    const addon = loadNative() as unknown as FastPathAddon;
    return new LagFastPath(addon, addon.fpLagCreate());
  }

  /** Whether `taps` are addon TAPs the LAG's fast path can read. */
  static canServe(taps: readonly FrameIo[]): boolean {
    return taps.length > 0 && taps.length <= FAST_PATH_MAX_TAPS && taps.every((t) => t.kind === 'tap' && nativeHandleOf(t) !== undefined);
  }

  /** Takes over the frames read on the LAG's TAPs. @throws IoError('invalidArgument') for devices it cannot serve. */
  attach(taps: readonly FrameIo[]): void {
    const t = taps.map(nativeHandleOf);
    if (t.some((x) => x === undefined)) throw new IoError('invalidArgument', 'the fast path serves addon TAPs only');
    try {
      this.addon.fpLagAttach(this.handle, t as NativeHandle[]);
    } catch (e) {
      throw new IoError('invalidArgument', `LAG fast path: ${(e as Error).message}`, { cause: e });
    }
  }

  detach(): void {
    this.addon.fpLagAttach(this.handle, []);
  }

  /** Replaces the whole configuration. @throws IoError('invalidArgument') on a bad one (the old one stays). */
  configure(config: LagFastPathConfig): void {
    if (config.members.length > FAST_PATH_MAX_LAG_MEMBERS) throw new IoError('invalidArgument', `members: ${config.members.length}, at most ${FAST_PATH_MAX_LAG_MEMBERS}`);
    try {
      this.addon.fpLagConfigure(this.handle, { ...config, members: config.members.map((m) => m.handle) });
    } catch (e) {
      throw new IoError('invalidArgument', (e as Error).message, { cause: e });
    }
  }

  /** The distributor's decisions without I/O, for tests: frames from TAP `tap`, each protected by the member it names. */
  process(frames: readonly Uint8Array[], tap = 0): { out: FastPathOutput[]; left: number[] } {
    return this.addon.fpProcess(this.handle, 'tx', frames, tap);
  }

  stats(): LagFastPathStats {
    return this.addon.fpLagStats(this.handle);
  }
}
