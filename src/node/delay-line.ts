/**
 * The frames an in-path node holds back for one direction: each leaves at
 * its due time (latency, jitter, an attacker's delay), in order of due time
 * and then of arrival; a frame marked `hold` leaves right after the next
 * frame pushed behind it (a reordering), or on its own after
 * `holdMaxMs`. No timer here: the node asks {@link DelayLine.nextDueMs} when
 * to come back and takes what is due.
 */

interface Entry {
  frame: Uint8Array;
  dueMs: number;
  seq: number;
  held: boolean;
}

export class DelayLine {
  private entries: Entry[] = [];
  private seq = 0;

  constructor(private readonly holdMaxMs: number) {}

  get size(): number {
    return this.entries.length;
  }

  /** Queues a frame; a held frame waits for its successor (at most holdMaxMs). */
  push(frame: Uint8Array, dueMs: number, hold = false): void {
    if (!hold) {
      const mine = this.seq++;
      // Frames held for a successor go right after this one.
      const held = this.entries.filter((e) => e.held);
      if (held.length) this.entries = this.entries.filter((e) => !e.held);
      this.insert({ frame, dueMs, seq: mine, held: false });
      for (const e of held) this.insert({ frame: e.frame, dueMs: Math.max(dueMs, e.dueMs - this.holdMaxMs), seq: this.seq++, held: false });
    } else this.insert({ frame, dueMs: dueMs + this.holdMaxMs, seq: this.seq++, held: true });
  }

  private insert(e: Entry): void {
    // Mostly in order already (a fixed latency): walk back from the end.
    let i = this.entries.length;
    while (i > 0 && (this.entries[i - 1]!.dueMs > e.dueMs || (this.entries[i - 1]!.dueMs === e.dueMs && this.entries[i - 1]!.seq > e.seq))) i--;
    this.entries.splice(i, 0, e);
  }

  /** The frames due at `nowMs`, in order; they leave the line. */
  takeDue(nowMs: number): Uint8Array[] {
    let n = 0;
    while (n < this.entries.length && this.entries[n]!.dueMs <= nowMs) n++;
    if (n === 0) return [];
    return this.entries.splice(0, n).map((e) => e.frame);
  }

  /** When the next frame is due, or undefined when the line is empty. */
  nextDueMs(): number | undefined {
    return this.entries[0]?.dueMs;
  }

  clear(): void {
    this.entries = [];
  }
}
