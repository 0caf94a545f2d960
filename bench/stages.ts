/**
 * The per-stage table of bench:link (README, "The live link"): what each
 * stage of the addon's data path cost per frame during one TCP run, from the
 * `stages` the addon counts on every handle (src/io/native/dxio.h, "stages";
 * `node counters` shows them under io.wire and io.taps.NAME). A run's
 * figure is the difference of two snapshots of both nodes, before and after
 * iperf3; the rounds of one variant add up.
 */
import { controlRequest } from '../src/node/index.js';
import type { FrameIoStats, StageTime, StageTimes } from '../src/io/index.js';

type StageKey = Exclude<keyof StageTimes, 'tscHz'>;
const KEYS: StageKey[] = ['read', 'segment', 'crypto', 'coalesce', 'write', 'js', 'loop'];

/** What each handle's stage is called in the table, in the order a frame meets them. */
const WIRE_NAMES: Partial<Record<StageKey, string>> = { read: 'wire read', crypto: 'validate', write: 'wire write', js: 'JS crossing (wire)', loop: 'callback (wire)' };
const TAP_NAMES: Partial<Record<StageKey, string>> = {
  read: 'TAP read',
  segment: 'segmentation',
  crypto: 'protect',
  coalesce: 'coalescing',
  write: 'TAP write',
  js: 'JS crossing (TAP)',
  loop: 'callback (TAP)',
};
const ORDER = ['TAP read', 'segmentation', 'protect', 'wire write', 'wire read', 'validate', 'coalescing', 'TAP write', 'JS crossing (TAP)', 'JS crossing (wire)', 'callback (TAP)', 'callback (wire)'];

/** Both nodes' stage totals by table name, and the TSC's rate. */
export interface StageSnapshot {
  tscHz: number;
  byName: Record<string, StageTime>;
  wireFrames: number;
}

interface PortIo {
  io: { wire: FrameIoStats; taps: Record<string, FrameIoStats> };
}

function add(into: Record<string, StageTime>, name: string | undefined, s: StageTime | undefined): void {
  if (!name || !s) return;
  const t = (into[name] ??= { cycles: 0, ns: 0, calls: 0, frames: 0 });
  t.cycles += s.cycles;
  t.ns += s.ns;
  t.calls += s.calls;
  t.frames += s.frames;
}

/** The stage totals of port eth1 of every node (control sockets) now. */
export async function stageSnapshot(sockets: string[]): Promise<StageSnapshot> {
  const out: StageSnapshot = { tscHz: 0, byName: {}, wireFrames: 0 };
  for (const socket of sockets) {
    const c = (await controlRequest(socket, { cmd: 'counters', port: 'eth1' })).result as PortIo;
    const w = c.io.wire;
    out.wireFrames += w.rxPackets + w.txPackets;
    if (w.stages) out.tscHz = w.stages.tscHz;
    for (const k of KEYS) add(out.byName, WIRE_NAMES[k], w.stages?.[k]);
    for (const t of Object.values(c.io.taps)) for (const k of KEYS) add(out.byName, TAP_NAMES[k], t.stages?.[k]);
  }
  return out;
}

/** Stages of the way out (TAP to wire) and in (wire to TAP): their time also counts per frame of that direction on the wire. */
const OUT = new Set(['TAP read', 'segmentation', 'protect', 'wire write']);
const IN = new Set(['wire read', 'validate', 'coalescing', 'TAP write']);

/**
 * One row of the table: a stage's cost per frame through it (for the TAP
 * read, per super-frame read), per frame of its direction on the wire (the
 * rows of one direction add up), its system calls per frame.
 */
export interface StageRow {
  stage: string;
  frames: number;
  nsPerFrame: number;
  cyclesPerFrame: number;
  /** ns per frame sent on the wire (way out) or read from it (way in); JS and callbacks: per wire frame either way. */
  nsPerWireFrame: number;
  /** System calls (read, write) or wakeups (callback) per frame. */
  callsPerFrame: number;
  /** Share of all the time the callbacks took. */
  pctOfCallbacks: number;
}

/** The table of one variant: its stages, and the whole addon's time per wire frame. */
export interface StageTable {
  mtu: number;
  variant: string;
  tscMHz: number;
  wireFrames: number;
  rows: StageRow[];
  /** Time in the readable-event callbacks of both nodes per frame on their wires (in + out). */
  callbackNsPerWireFrame: number;
  /** What the callbacks spent outside the stages (the loop itself, handle scopes, ring release). */
  otherNsPerWireFrame: number;
}

/** Accumulates the runs of each (mtu, variant). */
export class StageTables {
  private readonly sums = new Map<string, { mtu: number; variant: string; tscHz: number; byName: Record<string, StageTime>; wireFrames: number }>();

  add(mtu: number, variant: string, before: StageSnapshot, after: StageSnapshot): void {
    const key = `${mtu} ${variant}`;
    const s = this.sums.get(key) ?? { mtu, variant, tscHz: after.tscHz, byName: {}, wireFrames: 0 };
    s.wireFrames += after.wireFrames - before.wireFrames;
    for (const [name, a] of Object.entries(after.byName)) {
      const b = before.byName[name] ?? { cycles: 0, ns: 0, calls: 0, frames: 0 };
      add(s.byName, name, { cycles: a.cycles - b.cycles, ns: a.ns - b.ns, calls: a.calls - b.calls, frames: a.frames - b.frames });
    }
    this.sums.set(key, s);
  }

  tables(): StageTable[] {
    return [...this.sums.values()].map((s) => {
      const per = (x: number, n: number) => (n > 0 ? +(x / n).toFixed(2) : 0);
      const callbacks = (s.byName['callback (wire)']?.ns ?? 0) + (s.byName['callback (TAP)']?.ns ?? 0);
      const inStages = Object.entries(s.byName)
        .filter(([n]) => !n.startsWith('callback'))
        .reduce((a, [, t]) => a + t.ns, 0);
      const out = s.byName['wire write']?.frames ?? 0;
      const inward = s.byName['wire read']?.frames ?? 0;
      const rows = ORDER.filter((n) => s.byName[n] && (s.byName[n]!.frames > 0 || s.byName[n]!.calls > 0)).map((stage) => {
        const t = s.byName[stage]!;
        return {
          stage,
          frames: t.frames,
          nsPerFrame: per(t.ns, t.frames),
          cyclesPerFrame: Math.round(t.frames > 0 ? t.cycles / t.frames : 0),
          nsPerWireFrame: per(t.ns, OUT.has(stage) ? out : IN.has(stage) ? inward : s.wireFrames),
          callsPerFrame: per(t.calls, t.frames),
          pctOfCallbacks: callbacks > 0 && !stage.startsWith('callback') ? +((t.ns / callbacks) * 100).toFixed(1) : 0,
        };
      });
      return {
        mtu: s.mtu,
        variant: s.variant,
        tscMHz: Math.round(s.tscHz / 1e6),
        wireFrames: s.wireFrames,
        rows,
        callbackNsPerWireFrame: per(callbacks, s.wireFrames),
        otherNsPerWireFrame: per(callbacks - inStages, s.wireFrames),
      };
    });
  }
}

/** The table as text lines. */
export function stageLines(t: StageTable): string[] {
  const lines = [
    `stages, TAP MTU ${t.mtu}, ${t.variant} (both nodes, TSC ${t.tscMHz} MHz, wall time: a stage's time includes any preemption in it): callbacks ${t.callbackNsPerWireFrame} ns per wire frame, of which ${t.otherNsPerWireFrame} outside the stages`,
  ];
  for (const r of t.rows) {
    const calls = r.stage.startsWith('callback') ? `${r.callsPerFrame} wakeups/frame` : `${r.callsPerFrame} calls/frame`;
    const share = r.stage.startsWith('callback') ? '' : `, ${r.pctOfCallbacks}% of callback time`;
    const unit = r.stage === 'TAP read' ? 'super-frame' : 'frame';
    lines.push(
      `  ${r.stage.padEnd(19)} ${String(r.nsPerWireFrame).padStart(8)} ns per wire frame; ${r.nsPerFrame} ns = ${r.cyclesPerFrame} cycles per ${unit} through it, ${calls}, ${r.frames} ${unit}s${share}`,
    );
  }
  return lines;
}
