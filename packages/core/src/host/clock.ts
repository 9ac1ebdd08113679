// Time is injected into everything in core (DESIGN §1: core touches no timers by itself).
// A Clock is the only way the host and the Group client read time or schedule work.

export interface Clock {
  /** Monotonic milliseconds (any origin). */
  now(): number;
  /** Run `fn` after roughly `ms` milliseconds; returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

type TimerGlobals = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  performance?: { now(): number };
};

/**
 * The real clock of the hosting runtime (browser, Worker or Node). It looks the timer functions up
 * on globalThis at call time, so importing core never touches a timer.
 */
export const realClock: Clock = {
  now() {
    const g = globalThis as unknown as TimerGlobals;
    return g.performance ? g.performance.now() : Date.now();
  },
  setTimeout(fn, ms) {
    return (globalThis as unknown as TimerGlobals).setTimeout(fn, ms);
  },
  clearTimeout(handle) {
    (globalThis as unknown as TimerGlobals).clearTimeout(handle);
  },
};
