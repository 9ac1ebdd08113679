// DeadlineQueue: many deadlines on one timer. Every execute() and strong query has a caller timeout;
// one clock timer each meant a setTimeout and a clearTimeout per operation, a measurable share of
// the page's time at tens of thousands of operations a second. Here the deadlines wait in a binary
// min-heap and a single timer is armed for the earliest. A cancelled deadline is only forgotten
// (its heap slot is skipped when it comes up), and the heap is rebuilt from the live ones when
// stale slots outnumber them, so finished operations are not kept alive until their deadline.
import { heapPopMin, heapPush } from './binary-heap';
import type { Clock } from './clock';

/** The longest delay a timer takes (browsers and Node run a longer one at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Slot {
  at: number;
  key: number;
}

export class DeadlineQueue {
  private heap: Slot[] = [];
  private readonly live = new Map<number, { at: number; run: () => void }>();
  private nextKey = 1;
  private timer: unknown = null;
  private armedAt = Infinity;

  constructor(private readonly clock: Clock) {}

  /** Deadlines not yet expired or cancelled. */
  get size(): number {
    return this.live.size;
  }

  /** Calls `run` once `ms` milliseconds from now have passed; returns a key for cancel(). */
  add(run: () => void, ms: number): number {
    const key = this.nextKey++;
    const at = this.clock.now() + ms;
    this.live.set(key, { at, run });
    this.push({ at, key });
    if (at < this.armedAt) this.arm(at);
    return key;
  }

  /** Forgets a deadline (unknown or already expired keys are ignored). */
  cancel(key: number): void {
    if (!this.live.delete(key)) return;
    if (this.live.size === 0) {
      this.disarm();
      this.heap = [];
    } else if (this.heap.length > 64 && this.heap.length > 4 * this.live.size) {
      this.rebuild();
    }
  }

  private fire(): void {
    this.timer = null;
    this.armedAt = Infinity;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const { key } = this.pop();
      const entry = this.live.get(key);
      if (!entry) continue;
      this.live.delete(key);
      entry.run();
    }
    this.dropStaleTop();
    // run() may have added (and armed for) an earlier deadline already.
    if (this.heap.length > 0 && this.heap[0].at < this.armedAt) this.arm(this.heap[0].at);
  }

  private arm(at: number): void {
    this.disarm();
    this.armedAt = at;
    // Timers may fire a little early (Node rounds): fire() re-arms for what is not due yet. A
    // deadline past the longest delay a timer takes is waited for in such steps (a longer delay
    // would fire at once, and re-arming for it would spin).
    this.timer = this.clock.setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, at - this.clock.now())));
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Infinity;
  }

  private dropStaleTop(): void {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].key)) this.pop();
  }

  private rebuild(): void {
    this.heap = [];
    for (const [key, { at }] of this.live) this.push({ at, key });
  }

  private push(slot: Slot): void {
    heapPush(this.heap, slot, slotKey);
  }

  private pop(): Slot {
    return heapPopMin(this.heap, slotKey);
  }
}

const slotKey = (slot: Slot) => slot.at;
