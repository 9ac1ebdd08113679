// A clock that only moves when told to: tests decide when time passes and when timers fire.
import type { Clock } from '../../src/host/clock';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  private time = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Move time forward without firing anything. */
  advance(ms: number): void {
    this.time += ms;
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Fire every timer due now (including ones they schedule that are due too), in order. */
  runDue(limit = 10_000): number {
    let fired = 0;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > this.time || fired >= limit) return fired;
      this.timers.shift();
      fired++;
      next.fn();
    }
  }

  /** Advance to the next timer and fire everything due then. */
  runNext(): number {
    this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
    const next = this.timers[0];
    if (!next) return 0;
    this.time = Math.max(this.time, next.at);
    return this.runDue();
  }
}
