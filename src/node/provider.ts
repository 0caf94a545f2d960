/**
 * A last-mile provider between a link's two MKA peers (`kind: provider`), as
 * the forwarder of an in-path node runs it: which frames its network passes,
 * and when and how they come out. No timers and no randomness of its own:
 * the caller hands in the time and a PRNG, so that a test drives it frame
 * by frame.
 *
 * Modes:
 * - `transparent`: every frame passes, the IEEE 802.1D reserved group
 *   addresses included (EAPOL to 01:80:C2:00:00:03, LACP to -02, LLDP to
 *   -0E): a layer-2 circuit as MACsec needs it (a Linux bridge cannot be one
 *   without group_fwd_mask, and never for -01 and -02).
 * - `provider-bridge`: an IEEE 802.1ad provider bridge's S-VLAN component,
 *   which filters the addresses of IEEE 802.1Q's table of S-VLAN component
 *   reserved addresses (802.1Q-2018 Table 8-2; 802.1Q-2011 Table 8-2):
 *   01-80-C2-00-00-01 to -0A and -0E. The PAE group address -03 (802.1X's
 *   default MKPDU destination) and the Slow Protocols address -02 are among
 *   them; the Nearest Customer Bridge address -00 (C-VLAN components filter
 *   it, S-VLAN components carry it) and -0B to -0D, -0F pass.
 *   Checked against vendors that implement the table: Edge-Core's
 *   ECS4210 manual ("L2CP tunneling": 01-80-C2-00-00-01~0A are the S-VLAN
 *   component's, filtered; -00 and -0B~0F are the C-VLAN component's,
 *   carried across the S-VLAN), HPE Comware's `lldp mode service-bridge`
 *   (a service bridge takes LLDP to the nearest bridge -0E and the nearest
 *   non-TPMR bridge -03 itself and carries the nearest customer bridge
 *   address -00), and Junos's MACsec `eapol-address provider-bridge`,
 *   which is 01:80:C2:00:00:00 for exactly this reason. Edge-Core lists
 *   -0E with the carried ones; 802.1AB-2016 7.1 says every bridge stops the
 *   nearest bridge address, so it is filtered here.
 * - `filter-all`: every frame to 01-80-C2-00-00-00 to -0F is dropped, as
 *   the least friendly carriers do; only a destination outside that range
 *   (a unicast address, the broadcast address) gets an MKPDU across.
 *
 * Knobs, applied in this order to each frame that passes the filter:
 * `mtu` (frames whose payload after the 14-octet header is longer are
 * dropped and counted: MACsec adds 32 octets, so a circuit of 1500 drops
 * the largest protected frames), `lossPercent`, `latencyMs` ± `jitterMs`
 * (uniform; frames may overtake each other under jitter, as with netem),
 * `reorderPercent` (the frame is held back until the next one of its
 * direction has gone), and `sVlan`: an 802.1ad S-tag (TPID 0x88A8, 802.1Q
 * 9.5) pushed on the way into the provider's network (a port towards
 * another in-path node) and popped on the way out to a customer.
 */
import { macToString } from '../shared/bytes.js';
import { addVlanTag } from './vlan.js';

export const PROVIDER_MODES = ['transparent', 'provider-bridge', 'filter-all'] as const;
export type ProviderMode = (typeof PROVIDER_MODES)[number];

/** The S-tag's TPID (IEEE 802.1Q-2018 Table 9-1, the 802.1ad service tag). */
export const ETHERTYPE_S_TAG = 0x88a8;
const S_TAG_LEN = 4;
const ETH_HEADER = 14;
/** How long a frame picked for reordering waits for a successor before it goes anyway. */
export const REORDER_HOLD_MAX_MS = 50;

export interface ProviderSettings {
  mode: ProviderMode;
  /** One-way delay added to each frame. @default 0 */
  latencyMs: number;
  /** Each frame's delay is latencyMs ± up to jitterMs (uniform). @default 0 */
  jitterMs: number;
  /** Share of frames lost, 0 to 100. @default 0 */
  lossPercent: number;
  /** Share of frames held back behind their successor, 0 to 100. @default 0 */
  reorderPercent: number;
  /** The circuit's MTU: longer frames are dropped. @default none (the veth's) */
  mtu?: number;
  /** The S-VLAN the provider carries the customer's frames in. @default none (no S-tag) */
  sVlan?: number;
}

export const PROVIDER_DEFAULTS: ProviderSettings = { mode: 'transparent', latencyMs: 0, jitterMs: 0, lossPercent: 0, reorderPercent: 0 };

/** Each knob with the range `dxlab set` and the topology accept. */
export const PROVIDER_KNOBS = {
  mode: { about: 'transparent, provider-bridge or filter-all' },
  latencyMs: { about: '0 to 10000 ms one way', min: 0, max: 10_000 },
  jitterMs: { about: '0 to 10000 ms', min: 0, max: 10_000 },
  lossPercent: { about: '0 to 100', min: 0, max: 100 },
  reorderPercent: { about: '0 to 100', min: 0, max: 100 },
  mtu: { about: '68 to 65535, or none', min: 68, max: 65_535 },
  sVlan: { about: 'S-VLAN ID 1 to 4094, or none', min: 1, max: 4094 },
} as const;
export type ProviderKnob = keyof typeof PROVIDER_KNOBS;
export const PROVIDER_KNOB_NAMES = Object.keys(PROVIDER_KNOBS) as ProviderKnob[];

/**
 * A knob's value checked; `none` (or null) clears mtu and sVlan.
 * @returns the value, or an error message naming the knob.
 */
export function checkProviderKnob(knob: string, value: unknown): { value: ProviderSettings[ProviderKnob] } | { error: string } {
  if (!(knob in PROVIDER_KNOBS)) return { error: `unknown provider knob '${knob}': expected one of ${PROVIDER_KNOB_NAMES.join(', ')}` };
  const k = knob as ProviderKnob;
  if (k === 'mode') return PROVIDER_MODES.includes(value as ProviderMode) ? { value: value as ProviderMode } : { error: `mode: must be one of ${PROVIDER_MODES.join(', ')}, got ${JSON.stringify(value)}` };
  if ((k === 'mtu' || k === 'sVlan') && (value === null || value === 'none')) return { value: undefined };
  const spec = PROVIDER_KNOBS[k] as { min: number; max: number };
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  const integer = k === 'mtu' || k === 'sVlan';
  if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < spec.min || n > spec.max) {
    return { error: `${k}: must be ${integer ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max}${k === 'mtu' || k === 'sVlan' ? ' (or none)' : ''}, got ${JSON.stringify(value)}` };
  }
  return { value: n };
}

/** 01-80-C2-00-00-0x, the IEEE 802.1D/802.1Q reserved group addresses. */
function reservedLowNibble(frame: Uint8Array): number | undefined {
  if (frame.length < 6 || frame[0] !== 0x01 || frame[1] !== 0x80 || frame[2] !== 0xc2 || frame[3] !== 0 || frame[4] !== 0 || (frame[5]! & 0xf0) !== 0) return undefined;
  return frame[5]!;
}

/** Whether the S-VLAN component filters this destination (802.1Q-2018 Table 8-2: -01 to -0A, -0E). */
export function sVlanComponentFilters(frame: Uint8Array): boolean {
  const x = reservedLowNibble(frame);
  return x !== undefined && ((x >= 0x01 && x <= 0x0a) || x === 0x0e);
}

/** Whether `mode` drops a frame for its destination address. */
export function providerFilters(mode: ProviderMode, frame: Uint8Array): boolean {
  if (mode === 'transparent') return false;
  if (mode === 'filter-all') return reservedLowNibble(frame) !== undefined;
  return sVlanComponentFilters(frame);
}

/** Counters of one direction of the provider (frames that arrived on one port). */
export interface ProviderCounters {
  /** Frames that arrived. */
  rx: number;
  /** Frames sent on towards the other port. */
  forwarded: number;
  /** Dropped for a reserved destination address the mode filters. */
  filteredReserved: number;
  /** Dropped for being longer than the circuit's MTU. */
  mtuExceeded: number;
  /** Dropped at random (lossPercent). */
  lost: number;
  /** Held back behind a later frame (reorderPercent). */
  reordered: number;
  /** S-tags pushed and popped. */
  sTagPushed: number;
  sTagPopped: number;
  /** Dropped on the way out to a customer: no S-tag of the provider's S-VLAN. */
  sTagMismatch: number;
  /** The last destination addresses filtered, each once (most recent last). */
  lastFiltered: string[];
}

export function newProviderCounters(): ProviderCounters {
  return { rx: 0, forwarded: 0, filteredReserved: 0, mtuExceeded: 0, lost: 0, reordered: 0, sTagPushed: 0, sTagPopped: 0, sTagMismatch: 0, lastFiltered: [] };
}

/** What becomes of one frame: dropped, or sent at `dueMs` (held: behind the next frame). */
export type ForwardDecision = { drop: keyof ProviderCounters } | { frame: Uint8Array; dueMs: number; hold: boolean };

/** Where a port of the provider faces: a customer (an MKA peer) or more of the provider's network (another in-path node). */
export type PortRole = 'customer' | 'network';

/**
 * One provider node's forwarding: settings that `dxlab set` may change at
 * any time, counters per arrival port.
 */
export class ProviderPath {
  settings: ProviderSettings;
  readonly counters: ProviderCounters[] = [newProviderCounters(), newProviderCounters()];

  constructor(
    settings: Partial<ProviderSettings>,
    /** The role of port 0 and port 1. */
    readonly roles: [PortRole, PortRole],
    /** Uniform in [0, 1). */
    private readonly random: () => number,
  ) {
    this.settings = { ...PROVIDER_DEFAULTS, ...settings };
  }

  /** The fate of a frame that arrived on port `from` (0 or 1) at `nowMs`. */
  decide(from: 0 | 1, frame: Uint8Array, nowMs: number): ForwardDecision {
    const s = this.settings;
    const c = this.counters[from]!;
    c.rx++;
    if (providerFilters(s.mode, frame)) {
      c.filteredReserved++;
      const da = macToString(frame.subarray(0, 6));
      c.lastFiltered = [...c.lastFiltered.filter((x) => x !== da), da].slice(-4);
      return { drop: 'filteredReserved' };
    }
    const inRole = this.roles[from];
    const outRole = this.roles[1 - from]!;
    let out = frame;
    if (s.sVlan !== undefined && inRole === 'network' && outRole === 'customer') {
      const vid = sTagVid(frame);
      if (vid !== s.sVlan) {
        c.sTagMismatch++;
        return { drop: 'sTagMismatch' };
      }
      out = popSTag(frame);
      c.sTagPopped++;
    }
    if (s.mtu !== undefined && out.length - ETH_HEADER - (inRole === 'network' && s.sVlan !== undefined && outRole === 'network' ? S_TAG_LEN : 0) > s.mtu) {
      c.mtuExceeded++;
      return { drop: 'mtuExceeded' };
    }
    if (s.lossPercent > 0 && this.random() * 100 < s.lossPercent) {
      c.lost++;
      return { drop: 'lost' };
    }
    if (s.sVlan !== undefined && inRole === 'customer' && outRole === 'network') {
      out = pushSTag(out, s.sVlan);
      c.sTagPushed++;
    }
    const jitter = s.jitterMs > 0 ? (this.random() * 2 - 1) * s.jitterMs : 0;
    const dueMs = nowMs + Math.max(0, s.latencyMs + jitter);
    const hold = s.reorderPercent > 0 && this.random() * 100 < s.reorderPercent;
    if (hold) c.reordered++;
    c.forwarded++;
    return { frame: out, dueMs, hold };
  }
}

/** The VID of an outer S-tag, or undefined when the frame has none. */
export function sTagVid(frame: Uint8Array): number | undefined {
  if (frame.length < 18 || frame[12] !== ETHERTYPE_S_TAG >> 8 || frame[13] !== (ETHERTYPE_S_TAG & 0xff)) return undefined;
  return ((frame[14]! << 8) | frame[15]!) & 0x0fff;
}

/** DA ‖ SA ‖ 0x88A8 ‖ PCP 0, DEI 0, VID ‖ the rest (802.1Q-2018 9.5, 9.6). */
export function pushSTag(frame: Uint8Array, vid: number): Uint8Array {
  return addVlanTag(frame, vid, ETHERTYPE_S_TAG);
}

export function popSTag(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length - S_TAG_LEN);
  out.set(frame.subarray(0, 12));
  out.set(frame.subarray(16), 12);
  return out;
}
