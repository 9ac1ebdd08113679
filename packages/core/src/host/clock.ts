// Time is injected into everything in core: core touches no timers by itself.
// A Clock is the only way the host and the Group client read time or schedule work.

export interface Clock {
  /** Monotonic milliseconds (any origin). */
  now(): number;
  /** Run `fn` after roughly `ms` milliseconds; returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /**
   * Optional: run `fn` in a new task as soon as possible, without the ~4 ms clamp browsers put on
   * nested setTimeout(0). The applier yields with it between slices; absent, setTimeout(fn, 0).
   * Cancel with clearTimeout.
   */
  defer?(fn: () => void): unknown;
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
    if (handle instanceof DeferredTask) handle.cancelled = true;
    else (globalThis as unknown as TimerGlobals).clearTimeout(handle);
  },
  defer(fn) {
    const task = new DeferredTask(fn);
    const channel = deferChannel();
    if (!channel) {
      task.timer = (globalThis as unknown as TimerGlobals).setTimeout(() => task.run(), 0);
      return task;
    }
    deferred.push(task);
    channel.port2.postMessage(null);
    return task;
  },
};

/** A task queued by realClock.defer (a MessageChannel message: a new task, never clamped). */
class DeferredTask {
  cancelled = false;
  timer: unknown = null;
  constructor(private readonly fn: () => void) {}
  run(): void {
    if (!this.cancelled) this.fn();
  }
}

const deferred: DeferredTask[] = [];
let channelRef: MessageChannel | null | undefined;

function deferChannel(): MessageChannel | null {
  if (channelRef !== undefined) return channelRef;
  const Channel = (globalThis as { MessageChannel?: typeof MessageChannel }).MessageChannel;
  // Node has MessageChannel too, but an open port keeps its process alive: use timers there.
  const isBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined' || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
  if (!Channel || !isBrowser) return (channelRef = null);
  channelRef = new Channel();
  channelRef.port1.onmessage = () => deferred.shift()?.run();
  return channelRef;
}
